/** Small process-running helpers for tests that exercise real tools and servers. */
export * from "./ports";
export * from "./tempdir";
export * from "./run";
export * from "./process";
export * from "./certs";
export * from "./config-check";
