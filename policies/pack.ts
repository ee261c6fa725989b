/**
 * Every policy of the pack, by group (the order GetAnalyzerInfo lists them). Importing this does NOT start the pack (only
 * policies/index.ts calls `new PolicyPack`), so tests, the catalog and the preflight's
 * in-process evaluator can use the same objects the pack serves.
 */
import type { McpPolicy } from "./lib/define";
import { alertmanagerReceivers } from "./rules/alertmanager-receivers";
import { backupEncryption } from "./rules/backup-encryption";
import { backupOffsite } from "./rules/backup-offsite";
import { backupRetention } from "./rules/backup-retention";
import { backupSchedule } from "./rules/backup-schedule";
import { configPlaceholders } from "./rules/config-placeholders";
import { containerCapabilities } from "./rules/container-capabilities";
import { containerCgroupParent } from "./rules/container-cgroup-parent";
import { containerDefaultBridge } from "./rules/container-default-bridge";
import { containerDeprecatedFields } from "./rules/container-deprecated-fields";
import { containerEnvSecrets } from "./rules/container-env-secrets";
import { containerHealthcheck } from "./rules/container-healthcheck";
import { containerHostMounts } from "./rules/container-host-mounts";
import { containerHostNamespaces } from "./rules/container-host-namespaces";
import { containerLabels } from "./rules/container-labels";
import { containerLogRotation } from "./rules/container-log-rotation";
import { containerNoHostDevices } from "./rules/container-no-host-devices";
import { containerNoNewPrivileges } from "./rules/container-no-new-privileges";
import { containerNoPrivileged } from "./rules/container-no-privileged";
import { containerNoSshd } from "./rules/container-no-sshd";
import { containerMountPropagation } from "./rules/container-mount-propagation";
import { containerSysctls } from "./rules/container-sysctls";
import { containerNonRootUser } from "./rules/container-non-root-user";
import { containerPublishedPorts } from "./rules/container-published-ports";
import { containerReadOnlyRootfs } from "./rules/container-read-only-rootfs";
import { containerResourceLimits } from "./rules/container-resource-limits";
import { containerRestartPolicy } from "./rules/container-restart-policy";
import { containerSecurityProfiles } from "./rules/container-security-profiles";
import { containerTlsVerification } from "./rules/container-tls-verification";
import { dataServicesInternalNetwork } from "./rules/data-services-internal-network";
import { defaultPasswords } from "./rules/default-passwords";
import { grafanaAuth } from "./rules/grafana-auth";
import { haAppReplicas } from "./rules/ha-app-replicas";
import { imagePinned } from "./rules/image-pinned";
import { networkInternalFlag } from "./rules/network-internal-flag";
import { nginxHsts } from "./rules/nginx-hsts";
import { nginxHttpsRedirect } from "./rules/nginx-https-redirect";
import { nginxMcpLocation } from "./rules/nginx-mcp-location";
import { mcpAppContract } from "./rules/mcp-app-contract";
import { nginxRateLimit } from "./rules/nginx-rate-limit";
import { nginxTls } from "./rules/nginx-tls";
import { nginxUpstreamReplicas } from "./rules/nginx-upstream-replicas";
import { postgresTlsAuth } from "./rules/postgres-tls-auth";
import { prometheusAlertRules } from "./rules/prometheus-alert-rules";
import { prometheusRetention } from "./rules/prometheus-retention";
import { randomPasswordStrength } from "./rules/random-password-strength";
import { redisAuth } from "./rules/redis-auth";
import { secretFilePermissions } from "./rules/secret-file-permissions";
import { secretsNotExposed } from "./rules/secrets-not-exposed";
import { tlsKeyStrength } from "./rules/tls-key-strength";
import { volumeHostBind } from "./rules/volume-host-bind";
import { networkEncrypted } from "./rules/network-encrypted";
import { secretsAsDockerSecrets } from "./rules/secrets-as-docker-secrets";
import { serviceStatefulPlacement } from "./rules/service-stateful-placement";
import { serviceUpdateRollback } from "./rules/service-update-rollback";
import { containerUploadsReadOnly } from "./rules/container-uploads-read-only";
import { imageHealthcheckRunnable } from "./rules/image-healthcheck-runnable";
import { swarmReferencesDeclared } from "./rules/swarm-references-declared";

export const ALL_POLICIES: readonly McpPolicy[] = [
  // container-security
  containerCapabilities,
  containerCgroupParent,
  containerDeprecatedFields,
  containerHostMounts,
  containerHostNamespaces,
  containerMountPropagation,
  containerNoHostDevices,
  containerNoNewPrivileges,
  containerNoPrivileged,
  containerNoSshd,
  containerNonRootUser,
  containerReadOnlyRootfs,
  containerResourceLimits,
  containerSecurityProfiles,
  containerSysctls,
  volumeHostBind,
  // network
  containerDefaultBridge,
  containerPublishedPorts,
  dataServicesInternalNetwork,
  networkEncrypted,
  networkInternalFlag,
  // images
  imagePinned,
  // secrets
  configPlaceholders,
  containerEnvSecrets,
  containerTlsVerification,
  defaultPasswords,
  randomPasswordStrength,
  secretFilePermissions,
  secretsAsDockerSecrets,
  secretsNotExposed,
  // logging
  containerLabels,
  containerLogRotation,
  // services
  grafanaAuth,
  mcpAppContract,
  postgresTlsAuth,
  redisAuth,
  // edge
  nginxHsts,
  nginxHttpsRedirect,
  nginxMcpLocation,
  nginxRateLimit,
  nginxTls,
  tlsKeyStrength,
  // monitoring
  alertmanagerReceivers,
  prometheusAlertRules,
  prometheusRetention,
  // backup
  backupEncryption,
  backupOffsite,
  backupRetention,
  backupSchedule,
  // availability
  containerHealthcheck,
  containerRestartPolicy,
  haAppReplicas,
  nginxUpstreamReplicas,
  serviceStatefulPlacement,
  serviceUpdateRollback,
  // deployability
  containerUploadsReadOnly,
  imageHealthcheckRunnable,
  swarmReferencesDeclared,
];
