/** Pulumi program entry point (Pulumi.yaml `main: program/`): see program/main.ts. */
import { main } from "./main";

export = main();
