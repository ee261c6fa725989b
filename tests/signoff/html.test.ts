/**
 * Opens signoff.html in the Debian chromium, headless, and checks what a reader sees:
 * the decision, the four roles, every item with its status, and no console error or
 * blocked request (the page must be self-contained).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { chromium, type BrowserContext } from "playwright-core";
import { CHECKLIST_ITEMS, CHECKLIST_VERSION } from "../../checklist/items";
import { CHECKLIST_MAPPING } from "../../checklist/mapping";
import { loadStackFileConfig } from "../../infra/config/stack-file";
import { validateAttestations } from "../../signoff/attestations";
import { evaluateSignoff } from "../../signoff/evaluate";
import { renderAll, writeAll } from "../../signoff/write";
import { attestationsFor, itemsOfKind, NOW, preflightReport, PROVENANCE, ROOT, secretsFixture, verifyReport } from "./fixtures";

const CHROMIUM = "/usr/bin/chromium";
const haveChromium = fs.existsSync(CHROMIUM);

(haveChromium ? describe : describe.skip)("signoff.html in headless Chromium", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "signoff-html-"));
  let context: BrowserContext | undefined;
  const secrets = secretsFixture();

  // A report with every status: a violated policy, a failing check, a waiver, pending program items.
  const failingPolicy = itemsOfKind("policy")[0].id;
  const waivedPolicy = itemsOfKind("policy")[1].id;
  const config = loadStackFileConfig("prod", ROOT);
  const human = itemsOfKind("attestation").map((i) => i.id);
  const report = evaluateSignoff({
    stack: "prod",
    provenance: PROVENANCE,
    config,
    items: CHECKLIST_ITEMS,
    mapping: CHECKLIST_MAPPING,
    checklistVersion: CHECKLIST_VERSION,
    now: NOW,
    preflight: {
      file: "preflight.json",
      report: preflightReport((id) =>
        id === failingPolicy || id === waivedPolicy
          ? { status: "violated", violations: [{ policy: "p", enforcementLevel: "mandatory", message: `<script>alert(1)</script> ${secrets.redisPassword}` }] }
          : {},
      ),
    },
    verify: [{ file: "verify.json", report: verifyReport((id) => (id === "docker.user" ? { status: "fail", message: "mcp-prod-redis runs as 0:0" } : {})) }],
    attestations: {
      file: "a.yaml",
      entries: validateAttestations(attestationsFor([...human, waivedPolicy]), { items: CHECKLIST_ITEMS, mapping: CHECKLIST_MAPPING, stack: "prod", now: NOW })
        .entries,
    },
  });
  const outDir = path.join(tmp, "out");
  writeAll(renderAll(report, { outDir, repoRoot: ROOT, secrets: Object.values(secrets) }), outDir);

  beforeAll(async () => {
    const profile = fs.mkdtempSync(path.join(tmp, "profile-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      timeout: 30_000,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  }, 40_000);

  afterAll(async () => {
    await context?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test("renders the decision, the roles and every item with its status, with no console error", async () => {
    const page = await context!.newPage();
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));
    page.on("dialog", (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));

    await page.goto(`file://${path.join(outDir, "signoff.html")}`, { waitUntil: "load", timeout: 15_000 });

    expect(await page.title()).toBe("Sign-off prod: NO-GO");
    expect(await page.getAttribute("#decision", "data-decision")).toBe("NO-GO");
    expect(await page.locator("#decision").isVisible()).toBe(true);

    const roles = await page.$$eval("[data-role]", (els) => els.map((e) => `${e.getAttribute("data-role")}: ${e.querySelector(".d")?.textContent}`));
    expect(roles).toEqual(report.roles.map((r) => `${r.role}: ${r.decision}`));

    const rows = await page.$$eval("tr[data-item-id]", (els) =>
      els.map((e) => [e.getAttribute("data-item-id"), e.getAttribute("data-status"), e.querySelector(".status")?.textContent]),
    );
    expect(rows.map((r) => r[0])).toEqual(CHECKLIST_ITEMS.map((i) => i.id));
    expect(rows).toEqual(report.items.map((i) => [i.id, i.status, i.status.toUpperCase()]));
    const seen = new Set(rows.map((r) => r[1]));
    expect([...seen].sort()).toEqual(["fail", "pass", "pending", "waived"]);

    const counts = await page.$$eval("[data-count]", (els) =>
      Object.fromEntries(els.map((e) => [e.getAttribute("data-count"), Number(e.querySelector("b")?.textContent)])),
    );
    expect(counts).toEqual({ pass: report.counts.pass, fail: report.counts.fail, waived: report.counts.waived, pending: report.counts.pending });

    // A failing item's evidence is open and shows the (escaped, redacted) violation.
    const failing = page.locator(`tr[data-item-id="${failingPolicy}"] details`);
    expect(await failing.getAttribute("open")).not.toBeNull();
    const text = await failing.innerText();
    expect(text).toContain("<script>alert(1)</script>");
    expect(text).toContain("[redacted]");
    expect(await page.content()).not.toContain(secrets.redisPassword);

    // Status colours are applied (the stylesheet loaded): a FAIL badge is red.
    const bg = await page
      .locator(`tr[data-item-id="${failingPolicy}"] .status`)
      .evaluate((e) => (globalThis as unknown as { getComputedStyle(x: unknown): { backgroundColor: string } }).getComputedStyle(e).backgroundColor);
    expect(bg).toBe("rgb(207, 34, 46)");

    expect(problems).toEqual([]);
    expect(requests.filter((u) => !u.startsWith("file://"))).toEqual([]);
    await page.close();
  }, 30_000);
});
