/**
 * Host readiness checks and the pre-deploy gate. The registry (validate/registry.ts) imports
 * HOST_CHECKS; the program wires hostReadinessHook onto its first resource (beforeCreate).
 */
export { HOST_CHECKS, RESOURCE_CHECKS } from "./checks";
export { DAEMON_CHECKS } from "./daemon-checks";
export { SWARM_CHECKS, STATEFUL_NODE_LABEL, STATEFUL_NODE_LABEL_VALUE } from "./swarm-checks";
export { CIS_BENCHMARK, CIS_CONTROLS, type CisCheck } from "./cis";
export { hostReadinessHook, hostReadinessHookFunction, runHostGate, HostNotReadyError, HOST_GATE_HOOK_NAME, type HostHookOptions } from "./gate";
export { DEFAULT_DAEMON_JSON, hostTargetFromConfig, publishedHostPorts, type HostPort, type HostTarget } from "./target";
export { thresholdsFromConfig, type HostThresholds } from "./thresholds";
