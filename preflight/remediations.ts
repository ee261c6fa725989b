/**
 * What a remediation changed, for the report: the property paths whose values differ between
 * the resource's inputs and the properties the pack returned (`capabilities.drops`,
 * `taskSpec.logDriver.options.max-file`). Arrays count as one value. Pure.
 */
export function changedPaths(before: unknown, after: unknown, prefix = ""): string[] {
  const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
  if (isObj(before) && isObj(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => changedPaths(before[k], after[k], prefix ? `${prefix}.${k}` : k));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [prefix || "(all)"];
}
