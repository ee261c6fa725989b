/** Small process-running helpers for tests that exercise real tools and servers. */
export * from "../../local/ports";
export * from "../../local/tempdir";
export * from "../../local/run";
export * from "./process";
export * from "./certs";
export * from "./config-check";
