/**
 * What a SARIF log needs beyond the JSON schema for GitHub code scanning to take every
 * result: the kind/level pairing of SARIF 2.1.0 §3.27.9-3.27.10 (prose the schema cannot
 * express), at least one physical location per result with a relative file path and a start
 * line (code scanning refuses a result without one), rule references that resolve, and
 * rules that carry help text and an absolute help URI.
 */
type Json = Record<string, any>;

export function sarifAcceptanceProblems(log: Json): string[] {
  const problems: string[] = [];
  (log.runs ?? []).forEach((run: Json, r: number) => {
    const rules: Json[] = run.tool?.driver?.rules ?? [];
    rules.forEach((rule, i) => {
      const at = `runs[${r}].rules[${i}] ${rule.id}`;
      if (!rule.shortDescription?.text) problems.push(`${at}: no shortDescription.text`);
      if (!rule.fullDescription?.text) problems.push(`${at}: no fullDescription.text`);
      if (!rule.help?.text) problems.push(`${at}: no help.text`);
      if (typeof rule.helpUri !== "string" || !/^[a-z][a-z0-9+.-]*:/i.test(rule.helpUri)) problems.push(`${at}: helpUri is not an absolute URI`);
    });
    (run.results ?? []).forEach((res: Json, i: number) => {
      const at = `runs[${r}].results[${i}] ${res.ruleId}`;
      const kind = res.kind ?? "fail";
      if (kind !== "fail" && (res.level ?? "none") !== "none") problems.push(`${at}: kind ${kind} needs level none, has ${res.level}`);
      if (res.level !== undefined && res.level !== "none" && res.kind !== undefined && res.kind !== "fail")
        problems.push(`${at}: level ${res.level} needs kind fail, has ${res.kind}`);
      if (res.ruleIndex !== undefined && rules[res.ruleIndex]?.id !== res.ruleId) problems.push(`${at}: ruleIndex ${res.ruleIndex} is not rule ${res.ruleId}`);
      if (res.ruleIndex === undefined && !rules.some((x) => x.id === res.ruleId)) problems.push(`${at}: no rule ${res.ruleId}`);
      const physical = (res.locations ?? []).map((l: Json) => l.physicalLocation).filter(Boolean);
      if (physical.length === 0) problems.push(`${at}: no physical location`);
      for (const p of physical) {
        const uri: unknown = p.artifactLocation?.uri;
        if (typeof uri !== "string" || uri === "") problems.push(`${at}: physical location without a file`);
        else if (/^[a-z][a-z0-9+.-]*:/i.test(uri) || uri.startsWith("/")) problems.push(`${at}: ${uri} is not relative to the repository`);
        if (!(p.region?.startLine >= 1)) problems.push(`${at}: physical location without a start line`);
      }
    });
  });
  return problems;
}
