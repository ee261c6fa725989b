/**
 * Host readiness checks and the pre-deploy gate. The registry (validate/registry.ts) imports
 * HOST_CHECKS; the program wires hostReadinessHook onto its first resource (beforeCreate).
 */
export { HOST_CHECKS } from "./checks";
export { hostReadinessHook, hostReadinessHookFunction, runHostGate, HostNotReadyError, HOST_GATE_HOOK_NAME, type HostHookOptions } from "./gate";
export { hostTargetFromConfig, publishedHostPorts, type HostPort, type HostTarget } from "./target";
export { thresholdsFromConfig, type HostThresholds } from "./thresholds";
