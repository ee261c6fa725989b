/**
 * The version of every evidence file (preflight, verify, restore drill reports): a reader
 * refuses another version with a clear message instead of misreading it.
 */
// 2: check records name their checklist items `checklistIds` (was `items`), as policies do.
// 3: every report carries its provenance (evidence/provenance.ts); the preflight says which
//    policy config and mutation it ran with; the drill report shares this version (was 1).
export const EVIDENCE_FORMAT_VERSION = 3;
