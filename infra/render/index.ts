/** Rendered configuration: pure functions from plain data to file contents. */
export * from "./nginx";
export * from "./prometheus";
export * from "./blackbox";
export * from "./alert-rules";
export * from "./alertmanager";
export * from "./grafana";
export * from "./postgres";
export * from "./redis";
export * from "./daemon-json";
