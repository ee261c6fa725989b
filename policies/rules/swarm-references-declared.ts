/**
 * DEP-CORE-01 (all services start): every Docker config, secret and network a swarm service
 * references is declared in the same stack, by Docker name or ID. A reference to an object
 * that does not exist fails the deploy; one that exists outside the stack is content no
 * policy has checked.
 */
import { stackPolicy } from "../lib/define";
import { networkIndex } from "../lib/networks";
import { workloadsOf } from "../lib/workloads";

export const swarmReferencesDeclared = stackPolicy<{ externalNetworks: string[] }>({
  name: "swarm-references-declared",
  description:
    "Every Docker config, secret and network a swarm service references is declared in the stack (docker.ServiceConfig, docker.Secret, docker.Network), by name or ID.",
  checklistIds: ["DEP-CORE-01"],
  severity: "high",
  group: "deployability",
  remediation:
    "Reference the stack's own objects: configId/configName and secretId/secretName from the docker.ServiceConfig / docker.Secret resources, networksAdvanceds[].id from the docker.Network (infra/components/files.ts refsFor, infra/components/service.ts).",
  config: {
    externalNetworks: { type: "array", items: { type: "string" }, default: [], description: "Networks created outside the stack that services may join." },
  },
  check(resources, ctx) {
    const nets = networkIndex(resources);
    for (const w of workloadsOf(resources)) {
      // Containers carry their files as uploads and have no swarm references.
      if (w.kind !== "service") continue;
      if (!w.files.known) ctx.undecidable(`${w.label} configs and secrets`, w.urn);
      else
        for (const f of w.files.value) {
          if (!f.ref) continue;
          const kind = f.source === "config" ? "config" : "secret";
          if (f.ref.declared === false)
            ctx.violation(`${w.label}: ${kind} ${f.ref.name ?? f.ref.id} (mounted at ${f.path}) is not declared in this stack`, w.urn);
          else if (f.ref.declared === undefined) ctx.undecidable(`${w.label} ${kind} reference for ${f.path}`, w.urn);
        }
      if (!w.networks.known) ctx.undecidable(`${w.label} networks`, w.urn);
      else
        for (const [i, n] of w.networks.value.entries()) {
          if (n.ref === undefined) ctx.undecidable(`${w.label} network #${i + 1}`, w.urn);
          else if (!nets.has(n.ref) && !ctx.config.externalNetworks.includes(n.ref))
            ctx.violation(`${w.label}: network ${n.ref} is not declared in this stack`, w.urn);
        }
    }
  },
});
