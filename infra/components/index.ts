/** Every container spec of the stack, in start order. Pure: config in, data out. */
import type { StackConfig } from "../config/load";
import type { ServiceSpec } from "../spec";
import type { SpecContext } from "./common";
import { appSpecs } from "./app";
import { backupSpecs } from "./backup";
import { exporterSpecs } from "./exporters";
import { alertmanagerSpecs, grafanaSpecs, prometheusSpecs } from "./monitoring";
import { nginxSpecs } from "./nginx";
import { postgresSpecs } from "./postgres";
import { redisSpecs } from "./redis";

export function stackSpecs(config: StackConfig, ctx: SpecContext): ServiceSpec[] {
  return [
    ...postgresSpecs(config, ctx),
    ...redisSpecs(config, ctx),
    ...appSpecs(config, ctx),
    ...prometheusSpecs(config, ctx),
    ...alertmanagerSpecs(config, ctx),
    ...grafanaSpecs(config, ctx),
    ...nginxSpecs(config, ctx),
    // Before node-exporter: the first container to mount the shared metrics volume sets its owner.
    ...backupSpecs(config, ctx),
    ...exporterSpecs(config, ctx),
  ];
}

export type { SpecContext } from "./common";
