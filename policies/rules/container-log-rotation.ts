/** MON-LOG-04 (log rotation configured): container logs rotate (json-file/local with max-size and max-file) or go to a log driver. */
import { resourcePolicy } from "../lib/define";
import { displayName, T } from "../lib/docker";
import { asRecord, asString, get } from "../lib/values";

const SIZE = /^\d+[kmg]?$/i;

export const containerLogRotation = resourcePolicy<{ shippingDrivers: string[]; maxFiles: number }>({
  name: "container-log-rotation",
  description: "Container logs are rotated: json-file or local driver with max-size and max-file, or a log-shipping driver.",
  checklistIds: ["MON-LOG-04"],
  severity: "medium",
  group: "logging",
  remediation: "Set `logDriver: \"json-file\"` and `logOpts: { \"max-size\": \"10m\", \"max-file\": \"5\" }` (infra/components/common.ts LOG_OPTS).",
  resourceTypes: [T.container],
  config: {
    shippingDrivers: { type: "array", items: { type: "string" }, default: ["syslog", "journald", "fluentd", "gelf", "awslogs", "splunk", "gcplogs", "loki"], description: "Drivers that ship logs off the host (rotation happens there)." },
    maxFiles: { type: "integer", default: 20, description: "Most rotated files kept per container." },
  },
  check(r, ctx) {
    const name = displayName(r);
    const d = asString(get(r.props, "logDriver"));
    const opts = asRecord(get(r.props, "logOpts"));
    if (!d.known || !opts.known) return ctx.undecidable("logDriver/logOpts");
    // Docker's daemon default is json-file without rotation.
    const driver = (d.value ?? "json-file").trim();
    if (driver === "none") return ctx.violation(`container ${name} discards its logs (logDriver none)`);
    if (ctx.config.shippingDrivers.includes(driver)) return;
    if (driver !== "json-file" && driver !== "local") return ctx.violation(`container ${name} uses log driver "${driver}" with no known rotation`);
    const size = opts.value["max-size"];
    const files = opts.value["max-file"];
    // The local driver rotates by default (20MB x 5).
    if (driver === "local" && size === undefined && files === undefined) return;
    if (typeof size !== "string" || !SIZE.test(size)) ctx.violation(`container ${name} logs are not size-limited (logOpts max-size)`);
    const n = Number(files);
    if (files === undefined || !Number.isInteger(n) || n < 1 || n > ctx.config.maxFiles) ctx.violation(`container ${name} keeps an unbounded number of log files (logOpts max-file 1..${ctx.config.maxFiles})`);
  },
});
