/** SEC-CONTAINER-01: containers run as a non-root user, set explicitly. */
import { resourcePolicy } from "../lib/define";
import { displayName, T } from "../lib/docker";
import { asString, get } from "../lib/values";

export const containerNonRootUser = resourcePolicy({
  name: "container-non-root-user",
  description: "Containers name a non-root user (uid:gid); an empty user means the image's default, often root.",
  checklistIds: ["SEC-CONTAINER-01"],
  severity: "high",
  group: "container-security",
  remediation: "Set `user` to the image's unprivileged uid:gid (e.g. \"70:70\" for postgres alpine, \"101:101\" for nginx-unprivileged).",
  resourceTypes: [T.container],
  check(r, ctx) {
    const u = asString(get(r.props, "user"));
    if (!u.known) return ctx.undecidable("user");
    const user = (u.value ?? "").trim();
    const name = displayName(r);
    if (!user) return ctx.violation(`container ${name} sets no user: it runs as the image default (often root)`);
    const [uid] = user.split(":");
    if (uid === "0" || uid.toLowerCase() === "root") ctx.violation(`container ${name} runs as root (user "${user}")`);
  },
});
