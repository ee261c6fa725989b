/** Rewrites the policy tables of policies/README.md from the catalog (policies/readme.ts). */
import * as fs from "fs";
import * as path from "path";
import { withPolicyList } from "../policies/readme";

const file = path.resolve(__dirname, "..", "policies", "README.md");
fs.writeFileSync(file, withPolicyList(fs.readFileSync(file, "utf8")));
