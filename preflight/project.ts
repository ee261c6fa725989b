/** The Pulumi project (Pulumi.yaml `name`) and the root stack resource type. */
export const PROJECT = "mcp-production-stack";
export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";
