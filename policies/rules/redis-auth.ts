/** PRE-SEC-04 (authentication enabled): Redis requires a password (or ACL users) and keeps protected mode on. */
import { parseRedisConf, redisArgsAsDirectives, RedisDirective } from "../lib/conf-files";
import { readUpload, uploadsMatching } from "../lib/container-files";
import { resourcePolicy, ResourceView, RuleContext } from "../lib/define";
import { commandOf, displayName, serviceOf, T } from "../lib/docker";

type Ctx = RuleContext<{ redisService: string }>;

/** Directives of a config file with `include`s expanded from the container's uploads. */
function expand(r: ResourceView, ctx: Ctx, path: string, depth: number): RedisDirective[] | undefined {
  const f = readUpload(r, path);
  if (f.status === "unknown") {
    ctx.undecidable(f.what);
    return undefined;
  }
  if (f.status === "missing") {
    ctx.violation(`container ${displayName(r)}: redis config ${path} is not declared in the stack (uploads), so authentication cannot be checked`);
    return undefined;
  }
  const out: RedisDirective[] = [];
  for (const d of parseRedisConf(f.content)) {
    if (d.name === "include" && d.args[0] && depth < 5) {
      const matches = uploadsMatching(r, d.args[0], "/") ?? [];
      if (matches.length === 0) ctx.violation(`container ${displayName(r)}: redis includes ${d.args[0]}, which the stack does not upload`);
      for (const m of matches) {
        const sub = expand(r, ctx, m.file, depth + 1);
        if (!sub) return undefined;
        out.push(...sub);
      }
    } else out.push(d);
  }
  return out;
}

export const redisAuth = resourcePolicy<{ redisService: string }>({
  name: "redis-auth",
  description: "Redis requires authentication (requirepass or ACL users with passwords, default user off) and protected-mode is not disabled.",
  checklistIds: ["PRE-SEC-04"],
  severity: "critical",
  group: "services",
  remediation: "Render redis.conf with `protected-mode yes` and `include /run/secrets/redis-auth.conf`, where the secret file holds `requirepass <generated password>`.",
  resourceTypes: [T.container],
  config: { redisService: { type: "string", default: "redis", description: "Service (com.mcp.service) of Redis." } },
  check(r, ctx) {
    if (serviceOf(r) !== ctx.config.redisService) return;
    const name = displayName(r);
    const cmd = commandOf(r.props);
    if (!cmd.known) return ctx.undecidable("command");
    const args = cmd.value[0] === "redis-server" ? cmd.value.slice(1) : cmd.value;
    const confPath = args[0] && !args[0].startsWith("-") ? args[0] : undefined;
    let directives: RedisDirective[] = [];
    if (confPath) {
      const fromFile = expand(r, ctx as Ctx, confPath, 0);
      if (!fromFile) return;
      directives = fromFile;
    }
    // Command-line options override the file.
    directives.push(...redisArgsAsDirectives(args));
    const last = (n: string) => [...directives].reverse().find((d) => d.name === n);
    const protectedMode = last("protected-mode")?.args[0];
    if (protectedMode && protectedMode.toLowerCase() === "no") ctx.violation(`container ${name}: Redis runs with protected-mode no`);
    const pass = last("requirepass")?.args[0];
    const aclUsers = directives.filter((d) => d.name === "user");
    const defaultUser = aclUsers.find((d) => d.args[0] === "default");
    const aclAuth = !!last("aclfile") || (aclUsers.length > 0 && (!defaultUser || defaultUser.args.includes("off") || defaultUser.args.some((a) => /^[>#]/.test(a)) && !defaultUser.args.includes("nopass")));
    if (!(pass && pass.length > 0) && !aclAuth) ctx.violation(`container ${name}: Redis requires no password (no requirepass or ACL users)`);
    if (defaultUser?.args.includes("nopass") && !defaultUser.args.includes("off")) ctx.violation(`container ${name}: Redis default user has nopass`);
  },
});
