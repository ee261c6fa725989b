/**
 * DEP-CORE-01 (all containers start): the Docker provider writes every `uploads` file with
 * PUT /containers/{id}/archive at path `/`, which the daemon refuses for a container whose
 * root filesystem is read-only ("container rootfs is marked read-only"; moby
 * daemon/archive_unix.go), so such a container is never created (../shared/upstream-images.md).
 * Swarm services have no uploads: Docker configs and secrets mount into read-only containers.
 */
import { resourcePolicy } from "../lib/define";
import { workloadOf, WORKLOAD_TYPES } from "../lib/workloads";

export const containerUploadsReadOnly = resourcePolicy({
  name: "container-uploads-read-only",
  description:
    "No files are uploaded into a container with a read-only root filesystem: Docker refuses the upload (PUT /containers/{id}/archive at `/`) and the deploy fails.",
  checklistIds: ["DEP-CORE-01"],
  severity: "critical",
  group: "deployability",
  remediation:
    "Deploy the workload as a swarm service (docker.Service) and deliver its files as docker.ServiceConfig / docker.Secret (they mount into a read-only container); a writable root filesystem instead would break container-read-only-rootfs.",
  resourceTypes: WORKLOAD_TYPES,
  check(r, ctx) {
    const w = workloadOf(r);
    if (!w.files.known) return ctx.undecidable("uploads");
    const uploads = w.files.value.filter((f) => f.source === "upload");
    if (uploads.length === 0) return;
    if (!w.readOnlyRootfs.known) return ctx.undecidable("readOnly");
    if (w.readOnlyRootfs.value)
      ctx.violation(
        `${w.label} uploads ${uploads.length} file${uploads.length === 1 ? "" : "s"} (${uploads
          .map((f) => f.path)
          .slice(0, 3)
          .join(", ")}${uploads.length > 3 ? ", ..." : ""}) into a read-only root filesystem: Docker refuses the upload, the container is never created`,
      );
  },
});
