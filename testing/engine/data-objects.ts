/**
 * docker.Secret and docker.ServiceConfig: terraform-provider-docker v4.5.0
 * internal/provider/resource_docker_secret.go (`secret.go L<a>-<b>`) and
 * resource_docker_config.go (`config.go L<a>-<b>`). HEAD 83c00e0b is identical. Both are
 * create/read/delete only: every attribute is ForceNew, so a change replaces the object.
 *
 * The data is base64 in both, decoded with Go's base64.StdEncoding (padded, "+/" alphabet)
 * although the schema descriptions say "Base64-url-safe-encoded": URL-safe input fails the
 * validator. ServiceConfig also takes `dataRaw`, plain text sent as it is.
 */
import type { EngineApi } from "./api";
import type { DataSpec } from "./engine-types";
import { decodeGoStdBase64 } from "./go";
import { InputReader } from "./inputs";

const nonEmpty = <T extends object>(o: T | undefined): T | undefined => (o && Object.keys(o).length > 0 ? o : undefined);

/** Secret data: resource_docker_secret.go resourceDockerSecretCreate L96 (StdEncoding, error ignored) after the schema's validateStringIsBase64Encoded (validators.go L145-159, StdEncoding). */
export function secretData(r: InputReader): Buffer {
  const data = r.str("data");
  if (data === undefined) r.fail("data", "is required (resource_docker_secret.go schema L30-37)");
  const bytes = decodeGoStdBase64(data);
  // The provider's validator would echo the value in its message; this one never does.
  if (!bytes)
    r.fail(
      "data",
      "is not standard base64 (padded, '+/' alphabet): the provider decodes it with Go's base64.StdEncoding, whatever the description says about URL-safe",
    );
  return bytes;
}

/** Config data: resource_docker_config.go getConfigDataBytes L125-136: data_raw when non-empty, else StdEncoding of data. */
export function configData(r: InputReader): Buffer {
  const raw = r.str("dataRaw");
  const data = r.str("data");
  // ExactlyOneOf data / data_raw (schema L34-48).
  if ((raw !== undefined) === (data !== undefined))
    r.fail(raw !== undefined ? "dataRaw" : "data", "exactly one of data and dataRaw must be set (schema ExactlyOneOf)");
  // d.GetOk("data_raw") is false for "", which then decodes data (also unset): an empty config.
  if (raw) return Buffer.from(raw, "utf8");
  const bytes = decodeGoStdBase64(data ?? "");
  if (!bytes) r.fail("data", "is not standard base64 (padded, '+/' alphabet): the provider decodes it with Go's base64.StdEncoding");
  return bytes;
}

export type DataKind = "secret" | "config";

/** SecretSpec (secret.go L98-108) / ConfigSpec (config.go L70-79): name, data, labels via d.GetOk. */
export function mapDataObject(kind: DataKind, r: InputReader, name: string): { spec: DataSpec; size: number } {
  const data = kind === "secret" ? secretData(r) : configData(r);
  // []byte marshals as standard base64 in the request body.
  return { spec: { Name: name, Labels: nonEmpty(r.labels("labels")), Data: data.toString("base64") }, size: data.length };
}

/** SecretCreate / ConfigCreate, then the read (an inspect that only sets the name). Returns the engine ID. */
export async function createDataObject(api: EngineApi, kind: DataKind, spec: DataSpec): Promise<string> {
  const created = kind === "secret" ? await api.secretCreate(spec) : await api.configCreate(spec);
  return created.ID;
}

/** resourceDockerSecretDelete (secret.go L143-155) / resourceDockerConfigDelete (config.go L138-150): one remove. */
export async function deleteDataObject(api: EngineApi, kind: DataKind, id: string): Promise<void> {
  if (kind === "secret") await api.secretRemove(id);
  else await api.configRemove(id);
}
