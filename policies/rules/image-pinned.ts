/**
 * ROLLBACK-STEPS-01 (switching to the previous version needs a pinned version): images are
 * pinned, never `:latest` or untagged; optional digest pinning and a registry allowlist (a
 * pin is only as good as the registry it names).
 */
import { imageRefProblem, imageRegistry, parseImageRef } from "../../infra/config/images";
import { resourcePolicy } from "../lib/define";
import { displayName, T } from "../lib/docker";
import { asString, get } from "../lib/values";

export const imagePinned = resourcePolicy<{ requireDigest: boolean; allowedRegistries: string[] }>({
  name: "image-pinned",
  description: "Images are pinned to a version (no :latest, no untagged reference), optionally by digest, from allowed registries.",
  checklistIds: ["ROLLBACK-STEPS-01"],
  severity: "high",
  group: "images",
  remediation: "Pin the image in mcp:images.<service> to an exact version tag (e.g. postgres:16.4-alpine3.20), or a digest (name@sha256:...) when requireDigest is on, from an allowed registry.",
  resourceTypes: [T.remoteImage, T.container],
  config: {
    requireDigest: { type: "boolean", default: false, description: "Require name@sha256:<digest> references." },
    allowedRegistries: { type: "array", items: { type: "string" }, default: ["docker.io", "ghcr.io", "quay.io"], description: "Registries images may come from (docker.io for Docker Hub). Empty: any." },
  },
  check(r, ctx) {
    // A container's image is usually the RemoteImage's image ID (unknown at preview, checked on the RemoteImage);
    // a reference written straight into the container is checked here.
    const ref = asString(get(r.props, r.type === T.remoteImage ? "name" : "image"));
    if (!ref.known) return r.type === T.remoteImage ? ctx.undecidable("name (image reference)") : undefined;
    const image = (ref.value ?? "").trim();
    if (r.type === T.container && (/^sha256:[a-f0-9]{64}$/.test(image) || image === "")) return;
    const what = r.type === T.remoteImage ? `image ${displayName(r)}` : `container ${displayName(r)} image`;
    const problem = imageRefProblem(image);
    if (problem) return ctx.violation(`${what}: ${problem}`);
    if (ctx.config.requireDigest && !parseImageRef(image)?.digest) ctx.violation(`${what}: "${image}" is not pinned by digest (requireDigest)`);
    const reg = imageRegistry(image);
    if (ctx.config.allowedRegistries.length && !ctx.config.allowedRegistries.includes(reg)) ctx.violation(`${what}: registry ${reg} is not in the allowed list (${ctx.config.allowedRegistries.join(", ")})`);
  },
});
