/** Pulumi program entry point (Pulumi.yaml `main: infra/`): see infra/main.ts. */
import { main } from "./main";

export = main();
