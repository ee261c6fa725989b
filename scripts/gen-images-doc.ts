/**
 * npm run docs:images — writes docs/images.md from infra/image-facts.ts: per default image,
 * the facts the program relies on and where each was read. tests/infra/image-facts.test.ts
 * fails when the committed file differs from what this renders, and holds every service
 * spec against the table in the committed file.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderImagesDoc } from "../infra/image-facts-doc";

export const IMAGES_DOC = "docs/images.md";

if (require.main === module) {
  const file = join(__dirname, "..", IMAGES_DOC);
  writeFileSync(file, renderImagesDoc());
  process.stdout.write(`wrote ${IMAGES_DOC}\n`);
}
