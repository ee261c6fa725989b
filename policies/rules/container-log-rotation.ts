/** MON-LOG-04 (log rotation configured): workload logs rotate (json-file/local with max-size and max-file) or go to a log driver. */
import { resourcePolicy } from "../lib/define";
import { LOG_OPTS } from "../../infra/components/common";
import { setPath } from "../lib/remediate";
import { workloadOf, WORKLOAD_TYPES } from "../lib/workloads";

const SIZE = /^\d+[kmg]?$/i;

export const containerLogRotation = resourcePolicy<{ shippingDrivers: string[]; maxFiles: number }>({
  name: "container-log-rotation",
  description: "Workload logs are rotated: json-file or local driver with max-size and max-file, or a log-shipping driver.",
  checklistIds: ["MON-LOG-04"],
  severity: "medium",
  group: "logging",
  remediation:
    'Containers: `logDriver: "json-file"` and `logOpts: { "max-size": "10m", "max-file": "5" }`; services: `taskSpec.logDriver: { name: "json-file", options: {...} }` (infra/components/common.ts LOG_OPTS).',
  resourceTypes: WORKLOAD_TYPES,
  config: {
    shippingDrivers: {
      type: "array",
      items: { type: "string" },
      default: ["syslog", "journald", "fluentd", "gelf", "awslogs", "splunk", "gcplogs", "loki"],
      description: "Drivers that ship logs off the host (rotation happens there).",
    },
    maxFiles: { type: "integer", default: 20, description: "Most rotated files kept per container." },
  },
  check(r, ctx) {
    const w = workloadOf(r);
    if (!w.log.known) return ctx.undecidable("log driver and options");
    // Docker's daemon default is json-file without rotation.
    const driver = (w.log.value.driver ?? "json-file").trim();
    const opts = w.log.value.options;
    if (driver === "none") return ctx.violation(`${w.label} discards its logs (log driver none)`);
    if (ctx.config.shippingDrivers.includes(driver)) return;
    if (driver !== "json-file" && driver !== "local") return ctx.violation(`${w.label} uses log driver "${driver}" with no known rotation`);
    const size = opts["max-size"];
    const files = opts["max-file"];
    // The local driver rotates by default (20MB x 5).
    if (driver === "local" && size === undefined && files === undefined) return;
    if (typeof size !== "string" || !SIZE.test(size)) ctx.violation(`${w.label} logs are not size-limited (log option max-size)`);
    const n = Number(files);
    if (files === undefined || !Number.isInteger(n) || n < 1 || n > ctx.config.maxFiles)
      ctx.violation(`${w.label} keeps an unbounded number of log files (log option max-file 1..${ctx.config.maxFiles})`);
  },
  // Fills a missing max-size / max-file with the program's own values; another driver, or a
  // bound someone set, is left for its owner.
  remediate(r) {
    const w = workloadOf(r);
    if (!w.log.known) return undefined;
    const driver = (w.log.value.driver ?? "json-file").trim();
    if (driver !== "json-file" && driver !== "local") return undefined;
    const options = { ...w.log.value.options };
    for (const key of ["max-size", "max-file"]) if (options[key] === undefined) options[key] = LOG_OPTS[key];
    if (w.kind === "container") return setPath(r.props, ["logDriver"], driver) && setPath(r.props, ["logOpts"], options);
    return setPath(r.props, ["taskSpec", "logDriver"], { name: driver, options });
  },
});
