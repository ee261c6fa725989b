/**
 * ROLLBACK-STEPS-01 (switching to the previous version needs a pinned version): images are
 * pinned, never `:latest` or untagged; optional digest pinning and a registry allowlist (a
 * pin is only as good as the registry it names).
 */
import { imageRefProblem, imageRegistry, parseImageRef } from "../../infra/config/images";
import { resourcePolicy } from "../lib/define";
import { displayName, T } from "../lib/docker";
import { asString, get } from "../lib/values";
import { workloadOf, WORKLOAD_TYPES } from "../lib/workloads";

export const imagePinned = resourcePolicy<{ requireDigest: boolean; allowedRegistries: string[] }>({
  name: "image-pinned",
  description:
    "Images are pinned to a version (no :latest, no untagged reference), optionally by digest, from allowed registries: a service's image, a container's image reference, a RemoteImage's name.",
  checklistIds: ["ROLLBACK-STEPS-01"],
  severity: "high",
  group: "images",
  remediation:
    "Pin the image in mcp:images.<service> to an exact version tag (e.g. postgres:16.4-alpine3.20), or a digest (name@sha256:...) when requireDigest is on, from an allowed registry.",
  resourceTypes: [T.remoteImage, ...WORKLOAD_TYPES],
  config: {
    requireDigest: { type: "boolean", default: false, description: "Require name@sha256:<digest> references." },
    allowedRegistries: {
      type: "array",
      items: { type: "string" },
      default: ["docker.io", "ghcr.io", "quay.io"],
      description: "Registries images may come from (docker.io for Docker Hub). Empty: any.",
    },
  },
  check(r, ctx) {
    const remote = r.type === T.remoteImage;
    const w = remote ? undefined : workloadOf(r);
    const ref = remote ? asString(get(r.props, "name")) : w!.image;
    if (!ref.known) return ctx.undecidable(remote ? "name (image reference)" : "image");
    const image = (ref.value ?? "").trim();
    // A container built on a RemoteImage gets its image ID (checked on the RemoteImage).
    if (w && (/^sha256:[a-f0-9]{64}$/.test(image) || image === "")) return;
    const what = w ? `${w.label} image` : `image ${displayName(r)}`;
    const problem = imageRefProblem(image);
    if (problem) return ctx.violation(`${what}: ${problem}`);
    if (ctx.config.requireDigest && !parseImageRef(image)?.digest) ctx.violation(`${what}: "${image}" is not pinned by digest (requireDigest)`);
    const reg = imageRegistry(image);
    if (ctx.config.allowedRegistries.length && !ctx.config.allowedRegistries.includes(reg))
      ctx.violation(`${what}: registry ${reg} is not in the allowed list (${ctx.config.allowedRegistries.join(", ")})`);
  },
});
