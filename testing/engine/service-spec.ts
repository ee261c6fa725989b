/**
 * docker.Service inputs -> the Engine API ServiceSpec, the way terraform-provider-docker
 * v4.5.0 builds it (internal/provider/resource_docker_service_structures.go, createServiceSpec
 * and the create* functions below it). Citations are `structures.go L<a>-<b>` for that file
 * and `schema L<a>-<b>` for resource_docker_service.go at v4.5.0; HEAD 83c00e0b has the same
 * two files byte for byte.
 *
 * What makes this different from a naive field copy is the Terraform SDK: inside a nested
 * block, `d.Get` returns EVERY attribute of the block's schema, unset ones as their schema
 * Default or Go zero value, so the provider's `if v, ok := raw["x"]; ok` is always true there.
 * That is why, for example, an unset `stop_grace_period` is sent as a pointer to 0 (not
 * omitted), every service gets `Healthcheck: {}` and `DNSConfig: {}`, `init` is sent as
 * `false`, and a restart_policy block without `delay` sends `Delay: 0`. Top-level blocks are
 * read with `d.GetOk`, which is false for an absent block. The Pulumi SDK's camelCase names
 * map to the schema's snake_case ones (commands -> command, tests -> test, networksAdvanceds
 * -> networks_advanced, capAdds -> cap_add, ...), MaxItems=1 blocks being plain objects.
 */
import { goDurationOrZero, goParseFloatOrZero, parseGoDuration } from "./go";
import { InputReader } from "./inputs";
import type { ContainerSpec, GenericResource, Mount, PortConfig, ServiceSpec, TaskSpec, UpdateConfig } from "./engine-types";

/** How a service input refers to another resource; returns the engine's ID (or name). */
export interface ReferenceResolver {
  secret(mockId: string, key: string): string;
  config(mockId: string, key: string): string;
  network(idOrName: string, key: string): string;
  /** A volume mount's source: a stack volume's mock ID becomes its engine name; anything else is kept. */
  volumeSource(source: string, key: string): string;
}

export interface ConvergeConfig {
  /** createConvergeConfig (structures.go L1323-1338): delay and timeout, Go-parsed. */
  delayNs: number;
  timeoutNs: number;
  timeoutRaw: string;
}

export interface MappedService {
  spec: ServiceSpec;
  /** X-Registry-Auth header value (retrieveAndMarshalAuth, funcs.go L646-661). Never log it. */
  registryAuth: string;
  converge?: ConvergeConfig;
  /** task_spec.0.container_spec.0.stop_grace_period as the provider's deleteService reads it. */
  stopGracePeriod?: string;
}

export interface ServiceMappingOptions {
  /** Negotiated API version; `supportsServiceContainerInit` compares it as a string (structures.go L115-117). */
  apiVersion: string;
}

const P_CS = "taskSpec.containerSpec";

/** Plan-time validations of the schema (ValidateDiagFunc), so a bad program fails before any API call. */
function validated(r: InputReader) {
  const pattern = (path: string, re: RegExp, what: string) => {
    const v = r.str(path);
    if (v !== undefined && !re.test(v)) r.fail(path, `must match ${what} (schema ValidateDiagFunc)`);
    return v;
  };
  // validateDurationGeq0 (validators.go L92-): parsable and >= 0.
  const duration = (path: string) => {
    const v = r.str(path);
    if (v === undefined) return undefined;
    const ns = parseGoDuration(v);
    if (ns === undefined) r.fail(path, "is not a valid Go duration (schema validateDurationGeq0)");
    if (ns < 0) r.fail(path, "must be >= 0 (schema validateDurationGeq0)");
    return v;
  };
  // validateIntegerGeqThan(0).
  const intGeq0 = (path: string) => {
    const v = r.int(path);
    if (v !== undefined && v < 0) r.fail(path, "must be >= 0 (schema validateIntegerGeqThan(0))");
    return v;
  };
  // validateStringIsFloatRatio (validators.go L31-): a float in [0, 1].
  const ratio = (path: string) => {
    const v = r.str(path);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(v) || n < 0 || n > 1)
      r.fail(path, "must be a float between 0.0 and 1.0 (schema validateStringIsFloatRatio)");
    return v;
  };
  return { pattern, duration, intGeq0, ratio };
}

/** helpers.go labelSetToMap L15-24 via the set's elements; Go's map becomes a JSON object. */
const nonEmpty = <T extends object>(o: T | undefined): T | undefined => (o && Object.keys(o).length > 0 ? o : undefined);
const nonEmptyList = <T>(l: T[] | undefined): T[] | undefined => (l && l.length > 0 ? l : undefined);

/** createContainerSpec, structures.go L708-1001. */
function containerSpec(r: InputReader, refs: ReferenceResolver, opts: ServiceMappingOptions): ContainerSpec {
  const v = validated(r);
  const c: ContainerSpec = {};
  // image: Required (schema L81-85); L713-715.
  const image = r.str(`${P_CS}.image`);
  if (image === undefined || image === "") r.fail(`${P_CS}.image`, "is required (schema L81-85)");
  c.Image = image;
  // labels: labelSetToMap of the (possibly empty) set; L716-718.
  c.Labels = nonEmpty(r.labels(`${P_CS}.labels`));
  // command / args: stringListToStringSlice; L719-724.
  c.Command = nonEmptyList(r.strings(`${P_CS}.commands`));
  c.Args = nonEmptyList(r.strings(`${P_CS}.args`));
  // hostname; L725-727.
  c.Hostname = r.str(`${P_CS}.hostname`) || undefined;
  // env: mapTypeMapValsToStringSlice, "k=v", empty keys skipped; L728-730 (container_structures.go L218-227).
  // Go iterates the map in random order; sorted here so one program gives one spec.
  const env = r.stringMap(`${P_CS}.env`) ?? {};
  c.Env = nonEmptyList(
    Object.keys(env)
      .filter((k) => k.length > 0)
      .sort()
      .map((k) => `${k}=${env[k]}`),
  );
  // dir, user, groups; L731-739.
  c.Dir = r.str(`${P_CS}.dir`) || undefined;
  c.User = r.str(`${P_CS}.user`) || undefined;
  c.Groups = nonEmptyList(r.strings(`${P_CS}.groups`));
  // privileges: a present block allocates Privileges{}; L740-786.
  if (r.obj(`${P_CS}.privileges`)) {
    c.Privileges = {};
    if (r.obj(`${P_CS}.privileges.credentialSpec`)) {
      // L747-760: `registry` is written into CredentialSpec.File (L755-757), after `file`
      // (L752-754). Both keys are always in the raw map, so File ends up as registry's value.
      const registry = r.str(`${P_CS}.privileges.credentialSpec.registry`) ?? "";
      c.Privileges.CredentialSpec = registry ? { File: registry } : {};
    }
    if (r.obj(`${P_CS}.privileges.seLinuxContext`)) {
      // L761-783: every key present, zero values where unset.
      const p = `${P_CS}.privileges.seLinuxContext`;
      c.Privileges.SELinuxContext = {
        Disable: r.bool(`${p}.disable`) || undefined,
        User: r.str(`${p}.user`) || undefined,
        Role: r.str(`${p}.role`) || undefined,
        Type: r.str(`${p}.type`) || undefined,
        Level: r.str(`${p}.level`) || undefined,
      };
    }
  }
  // read_only; L787-789.
  c.ReadOnly = r.bool(`${P_CS}.readOnly`) || undefined;
  // mounts; L790-876.
  const mounts: Mount[] = [];
  for (let i = 0; i < r.len(`${P_CS}.mounts`); i++) {
    const p = `${P_CS}.mounts[${i}]`;
    // type: Required, ^(bind|volume|tmpfs)$ (schema L217-222); target Required (L207-211).
    const type = v.pattern(`${p}.type`, /^(bind|volume|tmpfs)$/, "bind|volume|tmpfs");
    if (type === undefined) r.fail(`${p}.type`, "is required (schema L217-222)");
    const target = r.str(`${p}.target`);
    if (target === undefined) r.fail(`${p}.target`, "is required (schema L207-211)");
    // L795-800: Source is read unconditionally ("" when unset). Stack volumes' mock IDs map to
    // their engine names (the applier's one reference substitution for mounts).
    const rawSource = r.str(`${p}.source`) ?? "";
    const m: Mount = {
      Type: type,
      Target: target,
      Source: (type === "volume" && rawSource ? refs.volumeSource(rawSource, `${p}.source`) : rawSource) || undefined,
    };
    // L802-804.
    m.ReadOnly = r.bool(`${p}.readOnly`) || undefined;
    // bind_options: propagation defaults to "rprivate" (schema L235-241); L806-817.
    if (r.obj(`${p}.bindOptions`)) {
      const prop =
        v.pattern(`${p}.bindOptions.propagation`, /^(private|rprivate|shared|rshared|slave|rslave)$/, "private|rprivate|shared|rshared|slave|rslave") ??
        "rprivate";
      m.BindOptions = { Propagation: prop };
    }
    // volume_options; L819-845: driver_name is always in the raw map, so DriverConfig is
    // always allocated (L831-836), even with no driver given.
    if (r.obj(`${p}.volumeOptions`)) {
      const q = `${p}.volumeOptions`;
      m.VolumeOptions = {
        NoCopy: r.bool(`${q}.noCopy`) || undefined,
        Labels: nonEmpty(r.labels(`${q}.labels`)),
        DriverConfig: { Name: r.str(`${q}.driverName`) || undefined, Options: nonEmpty(r.stringMap(`${q}.driverOptions`)) },
      };
    }
    // tmpfs_options; L847-870: size_bytes and mode (os.FileMode of the int).
    if (r.obj(`${p}.tmpfsOptions`)) {
      const size = r.int(`${p}.tmpfsOptions.sizeBytes`) ?? 0;
      const mode = r.int(`${p}.tmpfsOptions.mode`) ?? 0;
      m.TmpfsOptions = { SizeBytes: size || undefined, Mode: mode || undefined };
    }
    mounts.push(m);
  }
  c.Mounts = nonEmptyList(mounts);
  // stop_signal; L877-879.
  c.StopSignal = r.str(`${P_CS}.stopSignal`) || undefined;
  // stop_grace_period: Optional+Computed (schema L305-311); unset reads "" and
  // `parsed, _ := time.ParseDuration("")` is 0, sent as a pointer: L880-883.
  c.StopGracePeriod = goDurationOrZero(v.duration(`${P_CS}.stopGracePeriod`) ?? "");
  // healthcheck: Healthcheck is allocated whether or not the block is set (L884-886); inside
  // it interval/timeout/start_period default "0s" and retries 0 (schema L326-353); L887-905.
  c.Healthcheck = {};
  if (r.obj(`${P_CS}.healthcheck`)) {
    const h = `${P_CS}.healthcheck`;
    c.Healthcheck.Test = nonEmptyList(r.strings(`${h}.tests`));
    c.Healthcheck.Interval = goDurationOrZero(v.duration(`${h}.interval`) ?? "0s") || undefined;
    c.Healthcheck.Timeout = goDurationOrZero(v.duration(`${h}.timeout`) ?? "0s") || undefined;
    c.Healthcheck.StartPeriod = goDurationOrZero(v.duration(`${h}.startPeriod`) ?? "0s") || undefined;
    c.Healthcheck.Retries = v.intGeq0(`${h}.retries`) || undefined;
  }
  // hosts: "ip host" (extraHostsSetToServiceExtraHosts L1423-1436); L907-909.
  const hosts: string[] = [];
  for (let i = 0; i < r.len(`${P_CS}.hosts`); i++) {
    const ip = r.str(`${P_CS}.hosts[${i}].ip`);
    const host = r.str(`${P_CS}.hosts[${i}].host`);
    if (ip === undefined) r.fail(`${P_CS}.hosts[${i}].ip`, "is required (schema L364-370)");
    if (host === undefined) r.fail(`${P_CS}.hosts[${i}].host`, "is required (schema L371-377)");
    hosts.push(`${ip} ${host}`);
  }
  c.Hosts = nonEmptyList(hosts);
  // dns_config: DNSConfig allocated unconditionally (L910-911); L912-927.
  c.DNSConfig = {};
  if (r.obj(`${P_CS}.dnsConfig`)) {
    const d = `${P_CS}.dnsConfig`;
    const ns = r.strings(`${d}.nameservers`);
    if (ns === undefined) r.fail(`${d}.nameservers`, "is required (schema L388-393)");
    c.DNSConfig = { Nameservers: nonEmptyList(ns), Search: nonEmptyList(r.strings(`${d}.searches`)), Options: nonEmptyList(r.strings(`${d}.options`)) };
  }
  // secrets: file_uid/file_gid default "0", file_mode 0o444 (schema L430-448); L929-950.
  const secrets = [];
  for (let i = 0; i < r.len(`${P_CS}.secrets`); i++) {
    const p = `${P_CS}.secrets[${i}]`;
    const id = r.str(`${p}.secretId`);
    if (!id) r.fail(`${p}.secretId`, "is required (schema L415-419)");
    const fileName = r.str(`${p}.fileName`);
    if (fileName === undefined) r.fail(`${p}.fileName`, "is required (schema L425-429)");
    secrets.push({
      SecretID: refs.secret(id, `${p}.secretId`),
      File: { Name: fileName, UID: r.str(`${p}.fileUid`) ?? "0", GID: r.str(`${p}.fileGid`) ?? "0", Mode: v.intGeq0(`${p}.fileMode`) ?? 0o444 },
      SecretName: r.str(`${p}.secretName`) || undefined,
    });
  }
  c.Secrets = nonEmptyList(secrets);
  // configs: same defaults (schema L473-491); L951-972.
  const configs = [];
  for (let i = 0; i < r.len(`${P_CS}.configs`); i++) {
    const p = `${P_CS}.configs[${i}]`;
    const id = r.str(`${p}.configId`);
    if (!id) r.fail(`${p}.configId`, "is required (schema L458-462)");
    const fileName = r.str(`${p}.fileName`);
    if (fileName === undefined) r.fail(`${p}.fileName`, "is required (schema L468-472)");
    configs.push({
      ConfigID: refs.config(id, `${p}.configId`),
      File: { Name: fileName, UID: r.str(`${p}.fileUid`) ?? "0", GID: r.str(`${p}.fileGid`) ?? "0", Mode: v.intGeq0(`${p}.fileMode`) ?? 0o444 },
      ConfigName: r.str(`${p}.configName`) || undefined,
    });
  }
  c.Configs = nonEmptyList(configs);
  // isolation: Default "default" (schema L495-501); L973-975.
  c.Isolation = v.pattern(`${P_CS}.isolation`, /^(default|process|hyperv)$/, "default|process|hyperv") ?? "default";
  // sysctl; L976-978.
  c.Sysctls = nonEmpty(r.stringMap(`${P_CS}.sysctl`));
  // cap_add / cap_drop; L979-989.
  c.CapabilityAdd = nonEmptyList(r.strings(`${P_CS}.capAdds`));
  c.CapabilityDrop = nonEmptyList(r.strings(`${P_CS}.capDrops`));
  // init: Optional+Computed bool (schema L520-525), so unset is false, and set as a pointer
  // when the client's API version is >= "1.37" (a string comparison, L115-117); L990-995.
  if (opts.apiVersion >= "1.37") c.Init = r.bool(`${P_CS}.init`) ?? false;
  return c;
}

/** createResources L1004-1045 and createGenericResources L1048-1081. */
function resources(r: InputReader): TaskSpec["Resources"] {
  // The resources block is Optional+Computed (schema L529-536): the raw list is empty when
  // unset, and createResources still returns &ResourceRequirements{} (L1005, L1044).
  const out: NonNullable<TaskSpec["Resources"]> = {};
  const p = "taskSpec.resources";
  if (!r.obj(p)) return out;
  if (r.obj(`${p}.limits`)) {
    // L1010-1023: both keys always present, 0 when unset.
    out.Limits = { NanoCPUs: r.int(`${p}.limits.nanoCpus`) || undefined, MemoryBytes: r.int(`${p}.limits.memoryBytes`) || undefined };
  }
  if (r.obj(`${p}.reservation`)) {
    const q = `${p}.reservation`;
    out.Reservations = { NanoCPUs: r.int(`${q}.nanoCpus`) || undefined, MemoryBytes: r.int(`${q}.memoryBytes`) || undefined };
    if (r.obj(`${q}.genericResources`)) {
      const generic: GenericResource[] = [];
      const named = r.strings(`${q}.genericResources.namedResourcesSpecs`) ?? [];
      named.forEach((s, i) => {
        // L1057-1059: strings.Split(v, "=") and [1] (which panics in Go without "=").
        const parts = s.split("=");
        if (parts.length < 2) r.fail(`${q}.genericResources.namedResourcesSpecs[${i}]`, "must be KIND=VALUE (the provider indexes the part after '=')");
        generic.push({ NamedResourceSpec: { Kind: parts[0], Value: parts[1] } });
      });
      const discrete = r.strings(`${q}.genericResources.discreteResourcesSpecs`) ?? [];
      discrete.forEach((s, i) => {
        const parts = s.split("=");
        if (parts.length < 2) r.fail(`${q}.genericResources.discreteResourcesSpecs[${i}]`, "must be KIND=VALUE (the provider indexes the part after '=')");
        // L1071: `strconv.ParseInt(splitted[1], 10, 64)` with the error ignored.
        const n = /^[-+]?\d+$/.test(parts[1]) ? Number(parts[1]) : 0;
        generic.push({ DiscreteResourceSpec: { Kind: parts[0], Value: n } });
      });
      out.Reservations.GenericResources = nonEmptyList(generic);
    }
  }
  return out;
}

/** createRestartPolicy L1084-1109. */
function restartPolicy(r: InputReader): TaskSpec["RestartPolicy"] {
  const v = validated(r);
  const p = "taskSpec.restartPolicy";
  // Optional+Computed (schema L602-608): unset is an empty list, which returns &RestartPolicy{} (L1087-1089).
  if (!r.obj(p)) return {};
  // L1093-1107: every key is in the raw map, so Delay, MaxAttempts and Window are always sent
  // as pointers (0 when unset), and Condition as given ("" when unset).
  return {
    Condition: v.pattern(`${p}.condition`, /^(none|on-failure|any)$/, "none|on-failure|any") || undefined,
    Delay: goDurationOrZero(v.duration(`${p}.delay`) ?? ""),
    MaxAttempts: v.intGeq0(`${p}.maxAttempts`) ?? 0,
    Window: goDurationOrZero(v.duration(`${p}.window`) ?? ""),
  };
}

/** createPlacement L1112-1135 with stringSetToPlacementPrefs L1390-1403 and mapSetToPlacementPlatforms L1406-1421. */
function placement(r: InputReader): TaskSpec["Placement"] {
  const v = validated(r);
  const p = "taskSpec.placement";
  // Optional+Computed (schema L637-643): &Placement{} even when unset (L1113, L1134).
  if (!r.obj(p)) return {};
  const platforms = [];
  for (let i = 0; i < r.len(`${p}.platforms`); i++) {
    const arch = r.str(`${p}.platforms[${i}].architecture`);
    const os = r.str(`${p}.platforms[${i}].os`);
    if (arch === undefined) r.fail(`${p}.platforms[${i}].architecture`, "is required (schema L671-675)");
    if (os === undefined) r.fail(`${p}.platforms[${i}].os`, "is required (schema L676-680)");
    platforms.push({ Architecture: arch, OS: os });
  }
  return {
    Constraints: nonEmptyList(r.strings(`${p}.constraints`)),
    Preferences: nonEmptyList((r.strings(`${p}.prefs`) ?? []).map((s) => ({ Spread: { SpreadDescriptor: s } }))),
    Platforms: nonEmptyList(platforms),
    MaxReplicas: v.intGeq0(`${p}.maxReplicas`) || undefined,
  };
}

/** createServiceAdvancedNetworks L1138-1163. */
function networks(r: InputReader, refs: ReferenceResolver): TaskSpec["Networks"] {
  const out: NonNullable<TaskSpec["Networks"]> = [];
  for (let i = 0; i < r.len("taskSpec.networksAdvanceds"); i++) {
    const p = `taskSpec.networksAdvanceds[${i}]`;
    // L1143-1150: id wins, then the deprecated name, else an error.
    const id = r.str(`${p}.id`);
    const name = r.str(`${p}.name`);
    let target: string;
    if (id) target = refs.network(id, `${p}.id`);
    else if (name) target = refs.network(name, `${p}.name`);
    else r.fail(p, "network 'name' or 'id' must be specified (structures.go L1149)");
    // L1151-1158: aliases as a slice; driver_opts "k=v" strings to a map, entries without "="
    // skipped (stringSetToMapStringString, container_structures.go L194-207).
    const driverOpts: Record<string, string> = {};
    for (const s of r.strings(`${p}.driverOpts`) ?? []) {
      const at = s.indexOf("=");
      if (at >= 0) driverOpts[s.slice(0, at)] = s.slice(at + 1);
    }
    out.push({ Target: target, Aliases: nonEmptyList(r.strings(`${p}.aliases`)), DriverOpts: nonEmpty(driverOpts) });
  }
  return nonEmptyList(out);
}

/** createServiceTaskSpec L645-705. */
function taskSpec(r: InputReader, refs: ReferenceResolver, opts: ServiceMappingOptions): TaskSpec {
  if (!r.obj("taskSpec")) r.fail("taskSpec", "is required (schema L67-73)");
  if (!r.obj(P_CS)) r.fail(P_CS, "is required (schema L74-80)");
  const v = validated(r);
  const t: TaskSpec = {};
  // L652-658.
  t.ContainerSpec = containerSpec(r, refs, opts);
  // L660-680: the three Optional+Computed blocks are always allocated.
  t.Resources = resources(r);
  t.RestartPolicy = restartPolicy(r);
  t.Placement = placement(r);
  // force_update / runtime; L681-686.
  t.ForceUpdate = v.intGeq0("taskSpec.forceUpdate") || undefined;
  t.Runtime = v.pattern("taskSpec.runtime", /^(container|plugin)$/, "container|plugin") || undefined;
  // networks_advanced; L687-693.
  t.Networks = networks(r, refs);
  // log_driver: nil unless the block is set (createLogDriver L1166-1182); name is Required.
  if (r.obj("taskSpec.logDriver")) {
    const name = r.str("taskSpec.logDriver.name");
    if (name === undefined) r.fail("taskSpec.logDriver.name", "is required (schema L745-749)");
    t.LogDriver = { Name: name || undefined, Options: nonEmpty(r.stringMap("taskSpec.logDriver.options")) };
  }
  return t;
}

/** createUpdateOrRollbackConfig L1294-1320 with the schema defaults (update L800-852, rollback L853-905). */
function updateOrRollback(r: InputReader, key: "updateConfig" | "rollbackConfig"): UpdateConfig | undefined {
  // createServiceUpdateConfig / createServiceRollbackConfig L1223-1236: d.GetOk, nil when absent.
  if (!r.obj(key)) return undefined;
  const v = validated(r);
  // The update block's patterns are anchored; the rollback block's are not (schema L874-880,
  // L896-902: "(pause|continue)" and "(stop-first|start-first)" match any string containing them).
  const failure =
    key === "updateConfig"
      ? v.pattern(`${key}.failureAction`, /^(pause|continue|rollback)$/, "pause|continue|rollback")
      : v.pattern(`${key}.failureAction`, /(pause|continue)/, "(pause|continue)");
  const order =
    key === "updateConfig"
      ? v.pattern(`${key}.order`, /^(stop-first|start-first)$/, "stop-first|start-first")
      : v.pattern(`${key}.order`, /(stop-first|start-first)/, "(stop-first|start-first)");
  return {
    Parallelism: v.intGeq0(`${key}.parallelism`) ?? 1,
    Delay: goDurationOrZero(v.duration(`${key}.delay`) ?? "0s") || undefined,
    FailureAction: failure ?? "pause",
    Monitor: goDurationOrZero(v.duration(`${key}.monitor`) ?? "5s") || undefined,
    MaxFailureRatio: goParseFloatOrZero(v.ratio(`${key}.maxFailureRatio`) ?? "0.0"),
    Order: order ?? "stop-first",
  };
}

/** createServiceEndpointSpec L1240-1259 and portSetToServicePorts L1262-1289. */
function endpointSpec(r: InputReader): ServiceSpec["EndpointSpec"] {
  const v = validated(r);
  // &EndpointSpec{} always (L1241, L1258).
  if (!r.obj("endpointSpec")) return {};
  const ports: PortConfig[] = [];
  for (let i = 0; i < r.len("endpointSpec.ports"); i++) {
    const p = `endpointSpec.ports[${i}]`;
    const target = r.int(`${p}.targetPort`);
    if (target === undefined) r.fail(`${p}.targetPort`, "is required (schema L939-943)");
    ports.push({
      Name: r.str(`${p}.name`) || undefined,
      // protocol default "tcp", publish_mode default "ingress" (schema L932-938, L950-956).
      Protocol: v.pattern(`${p}.protocol`, /^(tcp|udp|sctp)$/, "tcp|udp|sctp") ?? "tcp",
      TargetPort: target,
      // published_port: Optional+Computed, 0 when unset (schema L944-949).
      PublishedPort: r.int(`${p}.publishedPort`) || undefined,
      PublishMode: v.pattern(`${p}.publishMode`, /^(host|ingress)$/, "host|ingress") ?? "ingress",
    });
  }
  return { Mode: v.pattern("endpointSpec.mode", /^(vip|dnsrr)$/, "vip|dnsrr") || undefined, Ports: nonEmptyList(ports) };
}

/** createServiceMode L1187-1220. */
function serviceMode(r: InputReader): ServiceSpec["Mode"] {
  const v = validated(r);
  if (!r.obj("mode")) return {};
  const replicated = r.obj("mode.replicated");
  const global = r.bool("mode.global") ?? false;
  // ConflictsWith (schema L771-799): the SDK rejects both at plan time.
  if (replicated && global) r.fail("mode", "replicated and global conflict (schema ConflictsWith)");
  const mode: ServiceSpec["Mode"] = {};
  // replicas default 1 (schema L780-786); L1196-1211.
  if (replicated) mode.Replicated = { Replicas: v.intGeq0("mode.replicated.replicas") ?? 1 };
  // L1212-1215.
  if (global) mode.Global = {};
  return mode;
}

/** retrieveAndMarshalAuth L646-661 with authToServiceAuth L604-619. */
function registryAuth(r: InputReader): string {
  let auth: Record<string, string> = {};
  if (r.obj("auth")) {
    const username = r.str("auth.username") ?? "";
    const password = r.str("auth.password") ?? "";
    const server = r.str("auth.serverAddress");
    if (server === undefined) r.fail("auth.serverAddress", "is required (schema L30-35)");
    // Only a username AND a password make an AuthConfig (L610-616); JSON keys of registry.AuthConfig.
    if (username && password) auth = { username, password, serveraddress: server };
  }
  // Without an auth block the provider falls back to its own registry_auth for the image's
  // registry (fromRegistryAuth L622-643): the applier has no provider configuration, so {}.
  // base64.URLEncoding.EncodeToString (funcs.go L44, L190).
  return Buffer.from(JSON.stringify(auth)).toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
}

/** createServiceSpec L589-633, plus the converge and grace-period settings the CRUD functions read. */
export function mapService(r: InputReader, name: string, refs: ReferenceResolver, opts: ServiceMappingOptions): MappedService {
  const v = validated(r);
  const spec: ServiceSpec = {
    // Annotations.Name (L590-594); createServiceLabels: d.GetOk, nil when empty (L636-641).
    Name: name,
    Labels: nonEmpty(r.labels("labels")),
    TaskTemplate: taskSpec(r, refs, opts),
    Mode: serviceMode(r),
    UpdateConfig: updateOrRollback(r, "updateConfig"),
    RollbackConfig: updateOrRollback(r, "rollbackConfig"),
    EndpointSpec: endpointSpec(r),
  };
  let converge: ConvergeConfig | undefined;
  if (r.obj("convergeConfig")) {
    // converge_config ConflictsWith mode.0.global (schema L963-968).
    if (spec.Mode.Global) r.fail("convergeConfig", "conflicts with mode.global (schema ConflictsWith)");
    // createConvergeConfig L1323-1338 with defaults delay "7s", timeout "3m" (schema L971-984).
    const delay = v.duration("convergeConfig.delay") ?? "7s";
    const timeoutRaw = v.duration("convergeConfig.timeout") ?? "3m";
    converge = { delayNs: goDurationOrZero(delay), timeoutNs: goDurationOrZero(timeoutRaw), timeoutRaw };
  }
  return { spec, registryAuth: registryAuth(r), converge, stopGracePeriod: r.str(`${P_CS}.stopGracePeriod`) };
}
