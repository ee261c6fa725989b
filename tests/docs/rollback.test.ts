import * as fs from "fs";
import * as path from "path";
import { CHECKLIST_ITEMS } from "../../checklist/items";
import { rollbackPlan } from "../../signoff/rollback-plan";
import { npmRunScripts, npmScripts, readDoc, resourceNamesIn, ROOT, section, stackFacts } from "./support";

const prod = stackFacts("prod");
const plan = rollbackPlan(prod.config, "prod");

describe("rollback plan", () => {
  test("ROLLBACK rollback plan gives a runnable command or procedure for every step", () => {
    const items = CHECKLIST_ITEMS.filter((i) => i.section === "Rollback Plan");
    // One step per checklist item, same order, same words.
    expect(plan.steps.map((s) => [s.itemId, s.phase, s.action])).toEqual(items.map((i) => [i.id, i.subsection, i.text]));
    const scripts = npmScripts();
    const problems: string[] = [];
    for (const step of plan.steps) {
      const text = [...step.commands, step.note ?? ""].join("\n");
      if (step.commands.length === 0 && !/docs\/templates\/[\w-]+\.md/.test(step.note ?? "")) problems.push(`${step.itemId}: neither a command nor a template`);
      for (const s of npmRunScripts(text)) if (!scripts.has(s)) problems.push(`${step.itemId}: npm run ${s} does not exist`);
      for (const n of resourceNamesIn(text, prod.prefix)) if (!prod.resourceNames.has(n)) problems.push(`${step.itemId}: ${n} is not a resource of the prod stack`);
      for (const f of text.match(/(?:docs|policies)\/[\w./-]+\.(?:md|json)/g) ?? []) if (!fs.existsSync(path.join(ROOT, f))) problems.push(`${step.itemId}: ${f} does not exist`);
    }
    expect(problems).toEqual([]);
    // Stopping traffic scales the one service that publishes ports to 0; verifying brings back the replicas its spec declares.
    const publishing = prod.specs.filter((s) => s.ports.length > 0);
    expect(publishing.map((s) => s.name)).toEqual(["nginx"]);
    const edge = `${prod.prefix}-${publishing[0].name}`;
    expect(plan.steps[0].commands).toContain(`docker service scale ${edge}=0`);
    const step = (id: string) => plan.steps.find((s) => s.itemId === id)!.commands;
    expect(step("ROLLBACK-STEPS-03")[0]).toBe(`docker service scale ${edge}=${publishing[0].replicas}`);
    // The swarm's own rollback for a service's last update, the stack file's last good commit for the rest.
    expect(step("ROLLBACK-STEPS-01")).toContain(`docker service rollback ${prod.prefix}-<service>`);
    for (const id of ["ROLLBACK-STEPS-01", "ROLLBACK-STEPS-02"]) expect(step(id)).toContain("pulumi up --stack prod --policy-pack policies --policy-pack-config policies/policy-config.prod.json");
    // No container command survives: a task's container has no fixed name.
    const all = plan.steps.flatMap((s) => s.commands).join("\n");
    expect(all).not.toMatch(/docker (stop|start|restart|rm|logs) /);
    expect(all).not.toMatch(new RegExp(`docker exec (-\\w+ )*${prod.prefix}-`));
  });

  test("docs/rollback.md carries every step with the same commands", () => {
    const doc = readDoc("docs/rollback.md");
    const problems: string[] = [];
    for (const step of plan.steps) {
      const body = section(doc, new RegExp(`^### ${step.action} \\(${step.itemId}\\)\\s*$`));
      if (!body) {
        problems.push(`${step.itemId}: no "### ${step.action} (${step.itemId})" heading`);
        continue;
      }
      for (const c of step.commands) if (!body.includes(c)) problems.push(`${step.itemId}: command missing: ${c}`);
    }
    expect(problems).toEqual([]);
    expect(doc).toContain(`service back within ${plan.rtoMinutes} minutes, at most ${plan.rpoMinutes} minutes of data lost`);
  });

  test("the plan is filled from the stack it is made for", () => {
    const dev = stackFacts("dev");
    const p = rollbackPlan(dev.config, "dev");
    expect(p.rtoMinutes).toBe(dev.config.dr.rtoMinutes);
    expect(p.steps.flatMap((s) => s.commands).join("\n")).toContain("docker service scale mcp-dev-nginx=0");
    expect(p.steps.flatMap((s) => s.commands).join("\n")).not.toContain("mcp-prod-");
    expect(p.steps.find((s) => s.itemId === "ROLLBACK-STEPS-01")!.commands).toContain("git checkout <last-good-commit> -- Pulumi.dev.yaml");
  });
});
