/**
 * The version of every evidence file (preflight, verify, restore drill reports): a reader
 * refuses another version with a clear message instead of misreading it.
 */
// 2: check records name their checklist items `checklistIds` (was `items`), as policies do.
export const EVIDENCE_FORMAT_VERSION = 2;
