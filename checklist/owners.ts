/**
 * Which sign-off role answers for each checklist item: its section in the sign-off report,
 * and the signer when the item is an attestation. Set per subsection; checklist/mapping.ts
 * may override it for a single item.
 */
import type { ChecklistItem } from "./items";
import type { SignoffRole } from "../evidence/attestations";

/** Keyed by "<section> / <subsection>". A test proves every subsection of the catalog is here. */
export const SUBSECTION_OWNERS: Readonly<Record<string, SignoffRole>> = {
  "Pre-Deployment / Infrastructure": "Operations Lead",
  "Pre-Deployment / Configuration": "Technical Lead",
  "Pre-Deployment / Security": "Security Lead",
  "Deployment Verification / Core Services": "Operations Lead",
  "Deployment Verification / Database": "Technical Lead",
  "Deployment Verification / Cache & Session Storage": "Technical Lead",
  "Deployment Verification / Web Server & Proxy": "Technical Lead",
  "Deployment Verification / Monitoring Stack": "Operations Lead",
  "Functional Testing / API Endpoints": "Technical Lead",
  "Functional Testing / MCP Integration": "Technical Lead",
  "Functional Testing / Performance": "Technical Lead",
  "Security Verification / Network Security": "Security Lead",
  "Security Verification / Container Security": "Security Lead",
  "Security Verification / Data Security": "Security Lead",
  "Monitoring & Alerting / Metrics Collection": "Operations Lead",
  "Monitoring & Alerting / Alert Configuration": "Operations Lead",
  "Monitoring & Alerting / Logging": "Operations Lead",
  "Backup & Recovery / Backup System": "Operations Lead",
  "Backup & Recovery / Recovery Testing": "Operations Lead",
  "High Availability / Redundancy": "Technical Lead",
  "High Availability / Disaster Recovery": "Operations Lead",
  "Documentation / Technical Documentation": "Technical Lead",
  "Documentation / Operational Documentation": "Operations Lead",
  "Post-Deployment / Immediate Tasks (First 24 hours)": "Operations Lead",
  "Post-Deployment / Short-term Tasks (First week)": "Product Owner",
  "Post-Deployment / Long-term Tasks (First month)": "Technical Lead",
  "Sign-off / Technical Lead": "Technical Lead",
  "Sign-off / Operations Lead": "Operations Lead",
  "Sign-off / Security Lead": "Security Lead",
  "Sign-off / Product Owner": "Product Owner",
  "Rollback Plan / Immediate Actions": "Operations Lead",
  "Rollback Plan / Rollback Steps": "Operations Lead",
  "Rollback Plan / Post-Rollback": "Technical Lead",
};

export const subsectionKey = (item: Pick<ChecklistItem, "section" | "subsection">): string => `${item.section} / ${item.subsection}`;

export function defaultOwner(item: ChecklistItem): SignoffRole {
  const owner = SUBSECTION_OWNERS[subsectionKey(item)];
  if (!owner) throw new Error(`no sign-off owner for subsection "${subsectionKey(item)}" (item ${item.id}): add it to checklist/owners.ts`);
  return owner;
}
