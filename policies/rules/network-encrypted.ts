/**
 * SEC-NET-02 (services communicate internally), PRE-SEC-05 (network security groups): an
 * overlay network spans nodes, so its traffic between them is encrypted (IPsec,
 * `--opt encrypted`; CIS Docker Benchmark 7.3). Local bridge networks never leave the host.
 */
import { resourcePolicy } from "../lib/define";
import { displayName, T } from "../lib/docker";
import { asRecord, asString, get, isUnknown } from "../lib/values";

export const networkEncrypted = resourcePolicy<{ drivers: string[] }>({
  name: "network-encrypted",
  description: "Overlay networks are created with the `encrypted` option, so traffic between swarm nodes is encrypted (CIS Docker 7.3).",
  checklistIds: ["SEC-NET-02", "PRE-SEC-05"],
  severity: "high",
  group: "network",
  remediation: 'Create every overlay network with `options: { encrypted: "true" }` (infra/stack.ts does for edge, internal and egress).',
  resourceTypes: [T.network],
  config: {
    drivers: {
      type: "array",
      items: { type: "string" },
      default: ["overlay"],
      description: "Network drivers whose traffic crosses nodes and so must be encrypted.",
    },
  },
  check(r, ctx) {
    const driver = asString(get(r.props, "driver"));
    if (!driver.known) return ctx.undecidable("driver");
    if (!ctx.config.drivers.includes(driver.value ?? "bridge")) return;
    const opts = asRecord(get(r.props, "options"));
    if (!opts.known) return ctx.undecidable("options");
    const v = opts.value.encrypted;
    if (isUnknown(v)) return ctx.undecidable("options.encrypted");
    // Docker turns encryption on when the key is present; a "false" there reads as off to people, so it is refused too.
    if (v === undefined || v === null || /^(false|0|no|off)$/i.test(String(v).trim()))
      ctx.violation(`network ${displayName(r)} (${driver.value}) is not encrypted (options.encrypted)`);
  },
});
