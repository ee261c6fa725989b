/**
 * Pulumi program entry point (Pulumi.yaml `main: infra/`). Validates the whole stack
 * configuration first — a bad key fails here, before any resource is registered — then
 * declares the stack and exports its outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "./config/pulumi-config";
import { createStack } from "./stack";
import { deployHooks } from "./hooks";

const config = loadStackConfig();
const stackName = pulumi.getStack();
const resources = createStack(config, stackName, config.deployHooks ? deployHooks(config, stackName) : {});

export = resources.outputs;
