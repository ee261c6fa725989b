export * from "./schema";
export * from "./load";
export * from "./images";
export * from "./placeholders";
export * from "./durations";
export * from "./stack-file";
export * from "./pulumi-config";
