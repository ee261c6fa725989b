/**
 * The image scanner's report: Trivy's JSON output (`trivy image --format json`, SchemaVersion 2,
 * documented upstream under "Reporting"), one per scanned image. Only the fields the scan check
 * judges are read; anything else in the file is allowed. A file that is not such a report is
 * refused naming the file and the field.
 */
import { readReportFile } from "../core/report-file";
import { z } from "zod";

export const trivyVulnerabilitySchema = z.looseObject({
  VulnerabilityID: z.string(),
  PkgName: z.string(),
  InstalledVersion: z.string().optional(),
  /** Empty or absent: no fixed version is published. */
  FixedVersion: z.string().optional(),
  /** fixed, affected, will_not_fix, fix_deferred, end_of_life, unknown, not_affected. */
  Status: z.string().optional(),
  Severity: z.enum(["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"]),
});
export type TrivyVulnerability = z.infer<typeof trivyVulnerabilitySchema>;

export const trivyReportSchema = z.looseObject({
  SchemaVersion: z.literal(2),
  CreatedAt: z.string().refine((s) => !Number.isNaN(Date.parse(s)), "must be a date-time"),
  ArtifactName: z.string(),
  ArtifactType: z.literal("container_image"),
  Metadata: z
    .looseObject({
      ImageID: z.string().optional(),
      RepoTags: z.array(z.string()).optional(),
      RepoDigests: z.array(z.string()).optional(),
    })
    .optional(),
  Results: z
    .array(
      z.looseObject({
        Target: z.string(),
        Class: z.string().optional(),
        Vulnerabilities: z.array(trivyVulnerabilitySchema).nullish(),
      }),
    )
    .optional(),
});
export type TrivyReport = z.infer<typeof trivyReportSchema>;

/** Reads and checks one report file; throws naming the file and the first fields that are wrong. */
export function readTrivyReport(file: string): TrivyReport {
  return readReportFile(
    file,
    { name: "image scan report", expected: "a Trivy image report (trivy image --format json --output FILE IMAGE)" },
    trivyReportSchema,
  );
}
