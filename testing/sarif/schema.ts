/**
 * The SARIF 2.1.0 JSON schema (OASIS errata 01, committed beside this file with its notice) as
 * a validator. The official schema is JSON Schema draft-04, which Ajv 8 reads only through
 * ajv-draft-04; ajv-formats checks the `uri` and `date-time` formats the schema relies on
 * (helpUri, for one, must be an absolute URI).
 */
import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv-draft-04";
import addFormats from "ajv-formats";
import type { ValidateFunction } from "ajv-draft-04";

export const SARIF_SCHEMA_FILE = path.join(__dirname, "sarif-schema-2.1.0.json");

let validate: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!validate) {
    const schema = JSON.parse(fs.readFileSync(SARIF_SCHEMA_FILE, "utf8")) as object;
    const ajv = new Ajv({ allErrors: true });
    addFormats(ajv);
    validate = ajv.compile(schema);
  }
  return validate;
}

/** The schema's complaints about a SARIF log, one line each (instance path and message); none when valid. */
export function sarifSchemaErrors(log: unknown): string[] {
  const v = validator();
  if (v(log)) return [];
  return (v.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? e.keyword}${e.params ? ` ${JSON.stringify(e.params)}` : ""}`);
}
