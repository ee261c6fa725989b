/**
 * Container runtime checks (what the engine runs versus what the stack declared). The
 * registry (validate/registry.ts) imports DOCKER_CHECKS and builds the target from the stack
 * outputs with dockerTargetFromOutputs.
 */
export { DOCKER_CHECKS, DEFAULT_HEALTH_WAIT_MS, DEFAULT_RESTART_WINDOW_MS } from "./checks";
export { connectDocker, parseDockerHost, DEFAULT_DOCKER_SOCKET, type DockerEndpoint } from "./client";
export { declaredFromOutputs, dockerTargetFromOutputs, secretsFromOutputs, type DeclaredContainer, type DockerTarget, type KnownSecret } from "./declared";
