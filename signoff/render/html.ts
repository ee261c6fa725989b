/**
 * signoff.html: one self-contained page (inline CSS, no script, no external resource —
 * its Content-Security-Policy forbids any) that shows the decision at a glance, the four
 * roles' go / no-go, and every item with its evidence. Pure.
 */
import type { ItemOutcome, SignoffReport } from "../model";
import { evidenceLines, groupBySection, madeByText, readInputsText, shortSha, STATUS_LABEL, verificationLabel } from "./format";
import type { LinkOptions } from "./markdown";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
const isUrl = (s: string) => /^https?:\/\//.test(s);
/** Checklist text uses Markdown code spans (`.env.prod`): shown as code. */
const rich = (s: string) => esc(s).replace(/`([^`]+)`/g, "<code>$1</code>");

function a(target: string, text: string, opts: LinkOptions): string {
  return `<a href="${esc(isUrl(target) ? target : opts.repoHref(target))}">${esc(text)}</a>`;
}

const CSS = `
:root{--pass:#1a7f37;--fail:#cf222e;--waived:#9a6700;--pending:#57606a;--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg);margin:0;padding:24px;max-width:1280px;margin:auto}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}h4{font-size:14px;margin:12px 0 4px;color:var(--muted)}
.meta{color:var(--muted);margin:0 0 16px}
.banner{display:flex;gap:16px;align-items:center;padding:14px 18px;border-radius:8px;color:#fff;font-weight:600;font-size:18px}
.banner.GO{background:var(--pass)}.banner.NO-GO{background:var(--fail)}
.counts{display:flex;gap:8px;flex-wrap:wrap;margin:12px 0}
.count{border:1px solid var(--line);border-radius:6px;padding:6px 12px}.count b{font-size:18px;margin-right:6px}
.roles{display:grid;grid-template-columns:repeat(auto-fit,minmax(230px,1fr));gap:12px}
.role{border:1px solid var(--line);border-left:6px solid var(--fail);border-radius:6px;padding:10px 12px}.role.GO{border-left-color:var(--pass)}
.role .d{font-weight:700}.role.GO .d{color:var(--pass)}.role.NO-GO .d{color:var(--fail)}
.sig{margin-top:8px;color:var(--muted)}
table{border-collapse:collapse;width:100%;margin:4px 0 12px}th,td{border:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}th{background:#f6f8fa}
td.id{white-space:nowrap;font-family:ui-monospace,monospace;font-size:12px}
.status{display:inline-block;min-width:70px;text-align:center;border-radius:10px;padding:1px 8px;color:#fff;font-size:12px;font-weight:600}
.status.pass{background:var(--pass)}.status.fail{background:var(--fail)}.status.waived{background:var(--waived)}.status.pending{background:var(--pending)}
tr.fail td{background:#ffebe9}tr.waived td{background:#fff8c5}
details summary{cursor:pointer;color:var(--muted)}ul.ev{margin:4px 0 0;padding-left:18px}code{font-family:ui-monospace,monospace;font-size:12px;background:#f6f8fa;padding:0 3px;border-radius:3px}
.how{color:var(--muted);font-size:12px}.warn{color:var(--waived)}
@media print{body{padding:0}details{display:block}details>summary{display:none}}
`;

function statusBadge(s: ItemOutcome["status"]): string {
  return `<span class="status ${s}">${STATUS_LABEL[s]}</span>`;
}

function evidenceHtml(item: ItemOutcome, opts: LinkOptions): string {
  const lines = item.evidence
    .filter((e) => e.source !== "document")
    .map((e) => {
      const text = evidenceLines(e).map(esc).join("<br>");
      const link = e.link ? ` ${a(e.link, e.source === "tests" ? "test source" : "evidence", opts)}` : "";
      return `<li>${text}${link}</li>`;
    });
  const docs = item.docs.map((d) => `<li>document: ${a(d, d, opts)}</li>`);
  const all = [...lines, ...docs];
  if (all.length === 0) return "";
  return `<details${item.status === "fail" ? " open" : ""}><summary>evidence (${all.length})</summary><ul class="ev">${all.join("")}</ul></details>`;
}

export function renderHtml(r: SignoffReport, opts: LinkOptions): string {
  const h: string[] = [];
  h.push(`<!doctype html><html lang="en"><head><meta charset="utf-8">`);
  h.push(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
  h.push(
    `<meta name="viewport" content="width=device-width,initial-scale=1"><title>Sign-off ${esc(r.stack)}: ${r.decision}</title><style>${CSS}</style></head><body>`,
  );
  h.push(`<h1>Production sign-off: stack <code>${esc(r.stack)}</code> (${esc(r.domain)})</h1>`);
  h.push(
    `<p class="meta">Generated ${esc(r.generatedAt)} · environment ${esc(r.environment)} · checklist ${esc(r.checklistVersion)} · ${r.machineVerifiedPercent}% machine-verified</p>`,
  );
  h.push(`<div class="banner ${r.decision}" id="decision" data-decision="${r.decision}">Decision: ${r.decision}</div>`);
  h.push(
    `<div class="counts">${(["pass", "fail", "waived", "pending"] as const).map((s) => `<div class="count" data-count="${s}"><b>${r.counts[s]}</b>${statusBadge(s)}</div>`).join("")}<div class="count"><b>${r.counts.total}</b>items</div></div>`,
  );

  h.push(`<h2>Sign-off by role</h2><div class="roles">`);
  for (const role of r.roles) {
    const contact = role.contact?.configured
      ? `${esc(role.contact.name)} · ${esc(role.contact.phone)}`
      : `<span class="warn">no contact in mcp:contacts</span>`;
    h.push(
      `<div class="role ${role.decision}" data-role="${esc(role.role)}"><div><b>${esc(role.role)}</b></div><div class="d">${role.decision}</div><div>${esc(role.why)}</div><div class="how">${contact}</div><div class="sig">Signature: ____________ Date: ______</div></div>`,
    );
  }
  h.push(`</div>`);
  for (const role of r.roles) {
    const blocking = role.itemIds.map((id) => r.items.find((i) => i.id === id)!).filter((i) => i.status === "fail" || i.status === "pending");
    h.push(`<h3>${esc(role.role)}: ${role.decision}</h3>`);
    if (blocking.length === 0) h.push(`<p>Nothing blocks: ${esc(role.why)}.</p>`);
    else
      h.push(
        `<table><tr><th>ID</th><th>Blocking item</th><th>Status</th><th>Why</th></tr>${blocking.map((i) => `<tr class="${i.status}"><td class="id">${esc(i.id)}</td><td>${rich(i.text)}</td><td>${statusBadge(i.status)}</td><td>${esc(i.reason)}</td></tr>`).join("")}</table>`,
      );
  }

  h.push(`<h2>Checklist</h2>`);
  for (const s of groupBySection(r.items)) {
    h.push(`<h3>${esc(s.section)}</h3>`);
    for (const sub of s.subsections) {
      h.push(`<h4>${esc(sub.subsection)}</h4><table><tr><th>ID</th><th>Item</th><th>Status</th><th>Evidence</th></tr>`);
      for (const i of sub.items) {
        h.push(
          `<tr class="${i.status}" data-item-id="${esc(i.id)}" data-status="${i.status}"><td class="id">${esc(i.id)}</td><td>${rich(i.text)}<div class="how">${esc(verificationLabel(i.verification, i.owner))}</div></td><td>${statusBadge(i.status)}</td><td>${esc(i.reason)}${evidenceHtml(i, opts)}</td></tr>`,
        );
      }
      h.push(`</table>`);
    }
  }

  h.push(`<h2>Emergency contacts</h2><table><tr><th>Role</th><th>Name</th><th>Phone</th><th>Email</th></tr>`);
  for (const c of r.contacts)
    h.push(
      c.configured
        ? `<tr><td>${esc(c.role)}</td><td>${esc(c.name)}</td><td>${esc(c.phone)}</td><td>${esc(c.email)}</td></tr>`
        : `<tr><td>${esc(c.role)}</td><td colspan="3" class="warn">not set: add it to mcp:contacts</td></tr>`,
    );
  h.push(`</table>`);

  h.push(
    `<h2>Rollback plan</h2><p>If critical issues are discovered. RTO ${r.rollback.rtoMinutes} min · RPO ${r.rollback.rpoMinutes} min · DR drill every ${r.rollback.drillIntervalDays} days · full procedure: ${a(r.rollback.document, r.rollback.document, opts)}</p>`,
  );
  const drill = r.rollback.drill;
  h.push(
    drill
      ? `<p id="drill" data-status="${drill.status}">Last restore drill (<code>${esc(drill.file)}</code>, ${esc(drill.generatedAt)}): <span class="status ${drill.status === "pass" ? "pass" : "fail"}">${drill.status.toUpperCase()}</span></p><ul>${drill.lines.map((l) => `<li>${esc(l)}</li>`).join("")}</ul>`
      : `<p class="how">No restore drill report was given.</p>`,
  );
  h.push(`<ol>`);
  const phases = [...new Set(r.rollback.steps.map((s) => s.phase))];
  for (const phase of phases) {
    h.push(`<li><b>${esc(phase)}</b><ul>`);
    for (const step of r.rollback.steps.filter((s) => s.phase === phase)) {
      h.push(
        `<li>☐ ${esc(step.action)} <span class="how">(${esc(step.itemId)})</span>${step.commands.map((c) => `<br><code>${esc(c)}</code>`).join("")}${step.note ? `<div class="how">${esc(step.note)}</div>` : ""}</li>`,
      );
    }
    h.push(`</ul></li>`);
  }
  h.push(`</ol>`);

  h.push(`<h2>Inputs</h2><table><tr><th>Input</th><th>File</th><th>SHA-256</th><th>Generated</th><th>Made by (and what it read)</th><th>Note</th></tr>`);
  for (const i of r.inputs)
    h.push(
      `<tr><td>${esc(i.kind)}</td><td>${i.file ? `<code>${esc(i.file)}</code>` : "—"}</td><td>${i.sha256 ? `<code title="${esc(i.sha256)}">${esc(shortSha(i.sha256))}</code>` : "—"}</td><td>${esc(i.generatedAt ?? "—")}</td><td>${[madeByText(i.provenance, i.stack), ...readInputsText(i.provenance)].map(esc).join("<br>")}</td><td>${esc(i.note)}</td></tr>`,
    );
  h.push(`</table>`, `<p class="meta">This report: ${esc(madeByText(r.provenance, r.stack))}.</p>`);
  if (r.warnings.length) h.push(`<h2>Warnings</h2><ul>${r.warnings.map((w) => `<li class="warn">${esc(w)}</li>`).join("")}</ul>`);
  h.push(`</body></html>\n`);
  return h.join("\n");
}
