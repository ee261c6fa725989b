/**
 * DEP-CORE-02 (health checks pass for all services), HA-REDUNDANCY-05 (health checks
 * reliable): a health check can only run what the image has. CMD-SHELL needs a shell
 * (`/bin/sh -c`); CMD and every command of a CMD-SHELL line need their executables. The
 * facts come from infra/image-facts.ts; an image without facts is undecidable, never passed.
 */
import { imageFactsFor, imageHasTool } from "../../infra/image-facts";
import { resourcePolicy } from "../lib/define";
import { DYNAMIC, shellExecutables } from "../lib/shell-commands";
import { workloadOf, WORKLOAD_TYPES } from "../lib/workloads";

export const imageHealthcheckRunnable = resourcePolicy({
  name: "image-healthcheck-runnable",
  description:
    "A health check runs only what its image has: no CMD-SHELL on an image without a shell, no CMD or CMD-SHELL executable the image lacks (per infra/image-facts.ts; images without facts are undecidable).",
  checklistIds: ["DEP-CORE-02", "HA-REDUNDANCY-05"],
  severity: "high",
  group: "deployability",
  remediation:
    'Probe with a tool the image has (infra/image-facts.ts `tools`; busybox images: wget, nc), in exec form (CMD) where the image has no shell; for an image that can run none, use tests ["NONE"] with the com.mcp.healthcheck label. Add facts for a new image to infra/image-facts.ts.',
  resourceTypes: WORKLOAD_TYPES,
  check(r, ctx) {
    const w = workloadOf(r);
    if (!w.healthcheck.known) return ctx.undecidable("healthcheck");
    const hc = w.healthcheck.value;
    if (!hc || hc.test.length === 0 || !["CMD", "CMD-SHELL"].includes(hc.test[0].toUpperCase())) return;
    if (!w.image.known) return ctx.undecidable("image");
    const image = (w.image.value ?? "").trim();
    const facts = imageFactsFor(image);
    if (!facts) return ctx.undecidable(`what image ${image || "(none)"} contains (no entry in infra/image-facts.ts)`);
    const shell = hc.test[0].toUpperCase() === "CMD-SHELL";
    if (shell && !facts.shell) return ctx.violation(`${w.label}: its CMD-SHELL health check needs /bin/sh, which image ${image} does not have (${facts.base})`);
    const executables = shell ? shellExecutables(hc.test.slice(1).join(" ")) : [hc.test[1] ?? ""];
    for (const exe of executables) {
      if (exe === DYNAMIC) ctx.undecidable(`health check command chosen at run time ($(...))`);
      else if (!imageHasTool(facts, exe)) ctx.violation(`${w.label}: its health check runs ${exe}, which image ${image} does not have`);
    }
  },
});
