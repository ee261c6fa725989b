/** PRE-SEC-04 (authentication enabled): Redis requires a password (or ACL users) and keeps protected mode on. */
import { parseRedisConf, redisArgsAsDirectives, RedisDirective } from "../lib/conf-files";
import { stackPolicy, RuleContext } from "../lib/define";
import type { Workload } from "../lib/workload";
import { filesMatching, readFile, reportLookup } from "../lib/workload-files";
import { workloadsOf } from "../lib/workloads";

type Ctx = RuleContext<{ redisService: string }>;

/** Directives of a config file with `include`s expanded from the workload's files. */
function expand(w: Workload, ctx: Ctx, path: string, depth: number): RedisDirective[] | undefined {
  const f = readFile(w, path);
  if (f.status !== "found") {
    reportLookup(w, ctx as RuleContext<unknown>, f, "authentication cannot be checked");
    return undefined;
  }
  const out: RedisDirective[] = [];
  for (const d of parseRedisConf(f.content)) {
    if (d.name === "include" && d.args[0] && depth < 5) {
      const matches = filesMatching(w, d.args[0], "/") ?? [];
      if (matches.length === 0) ctx.violation(`${w.label}: redis includes ${d.args[0]}, which the stack does not deliver`, w.urn);
      for (const m of matches) {
        const sub = expand(w, ctx, m.path, depth + 1);
        if (!sub) return undefined;
        out.push(...sub);
      }
    } else out.push(d);
  }
  return out;
}

export const redisAuth = stackPolicy<{ redisService: string }>({
  name: "redis-auth",
  description: "Redis requires authentication (requirepass or ACL users with passwords, default user off) and protected-mode is not disabled.",
  checklistIds: ["PRE-SEC-04"],
  severity: "critical",
  group: "services",
  remediation:
    "Render redis.conf (a Docker config) with `protected-mode yes` and `include /run/secrets/redis-auth.conf`, where that Docker secret holds `requirepass <generated password>`.",
  config: { redisService: { type: "string", default: "redis", description: "Service (com.mcp.service) of Redis." } },
  check(resources, ctx) {
    for (const w of workloadsOf(resources, ctx.config.redisService)) {
      const at = (m: string) => ctx.violation(`${w.label}: ${m}`, w.urn);
      if (!w.command.known) {
        ctx.undecidable(`${w.label} command`, w.urn);
        continue;
      }
      const cmd = w.command.value;
      const args = cmd[0] === "redis-server" ? cmd.slice(1) : cmd;
      const confPath = args[0] && !args[0].startsWith("-") ? args[0] : undefined;
      let directives: RedisDirective[] = [];
      if (confPath) {
        const fromFile = expand(w, ctx, confPath, 0);
        if (!fromFile) continue;
        directives = fromFile;
      }
      // Command-line options override the file.
      directives.push(...redisArgsAsDirectives(args));
      const last = (n: string) => [...directives].reverse().find((d) => d.name === n);
      const protectedMode = last("protected-mode")?.args[0];
      if (protectedMode && protectedMode.toLowerCase() === "no") at("Redis runs with protected-mode no");
      const pass = last("requirepass")?.args[0];
      const aclUsers = directives.filter((d) => d.name === "user");
      const defaultUser = aclUsers.find((d) => d.args[0] === "default");
      const aclAuth =
        !!last("aclfile") ||
        (aclUsers.length > 0 &&
          (!defaultUser || defaultUser.args.includes("off") || (defaultUser.args.some((a) => /^[>#]/.test(a)) && !defaultUser.args.includes("nopass"))));
      if (!(pass && pass.length > 0) && !aclAuth) at("Redis requires no password (no requirepass or ACL users)");
      if (defaultUser?.args.includes("nopass") && !defaultUser.args.includes("off")) at("Redis default user has nopass");
    }
  },
});
