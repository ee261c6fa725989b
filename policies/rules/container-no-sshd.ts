/**
 * SEC-CONTAINER-04: no SSH daemon in a workload (CIS Docker 5.7): it is a second way in, with
 * its own keys, that bypasses the engine's access control and audit.
 */
import { resourcePolicy } from "../lib/define";
import { workloadOf, WORKLOAD_TYPES } from "../lib/workloads";

/** sshd as a word of the command line, however it is started (path, `sh -c`, `exec`). */
const SSHD = /(^|[\s/;&|'"(])sshd(?=$|[\s;&|'")])/;

export const containerNoSshd = resourcePolicy<{ sshImages: string[] }>({
  name: "container-no-sshd",
  description:
    "No container or service starts an SSH daemon: its entrypoint and command never run sshd, and its image is none of the known SSH server images. Operators reach a running container through the engine (docker exec), not through SSH.",
  checklistIds: ["SEC-CONTAINER-04"],
  severity: "high",
  group: "container-security",
  remediation:
    "Remove sshd from the entrypoint and command (containers: `entrypoints`, `command`; services: `commands`, `args`) and use an image without an SSH server; open a shell with `docker exec` on the node instead.",
  resourceTypes: WORKLOAD_TYPES,
  config: {
    sshImages: {
      type: "array",
      items: { type: "string" },
      default: ["openssh-server", "sshd", "docker-openssh-server", "sftp"],
      description: "Image repository names (the last path segment, before the tag) whose default process is an SSH daemon.",
    },
  },
  check(r, ctx) {
    const w = workloadOf(r);
    if (!w.command.known) ctx.undecidable("command");
    else if (w.command.value.some((part) => SSHD.test(part))) ctx.violation(`${w.label} starts an SSH daemon (sshd in its command)`);
    if (!w.image.known) return ctx.undecidable("image");
    const repo = (w.image.value ?? "").split("@")[0].split("/").pop()?.split(":")[0].toLowerCase() ?? "";
    if (ctx.config.sshImages.map((s) => s.toLowerCase()).includes(repo)) ctx.violation(`${w.label} runs image ${repo}, an SSH server`);
  },
});
