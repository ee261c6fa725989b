/**
 * The two images whose programs are this project's stand-ins, run by the node that runs the
 * build (its binary and shared libraries) from esbuild bundles:
 *
 * - app (ghcr.io/mcp-platform/mcp-gateway:1.8.2, the app contract): entries/app.ts, with its
 *   MCP server (the official SDK) in the same bundle, on an Alpine-like base with busybox
 *   (the contract's probe tool is busybox wget), user 10001:10001;
 * - grafana (grafana/grafana-oss:11.2.2): entries/grafana.ts behind a /run.sh of the same
 *   contract (files/grafana-run.sh), user 472 in group root, bash and curl as upstream.
 */
import { join } from "node:path";
import { DEFAULT_IMAGES, stackConfigSchema } from "../../../../infra/config/schema";
import { addBase, BASE_PACKAGES, DEFAULT_PATH, NOBODY_GROUP, NOBODY_USER, ROOT_GROUP, ROOT_USER, type ImageUser } from "../base";
import { requireHostFile } from "../host";
import { addNode, bundle } from "../node";
import type { ImagePlan, Recipe } from "../recipe";
import { ImageTree } from "../tree";

const ENTRIES = join(__dirname, "..", "entries");
const FILES = join(__dirname, "..", "files");

const tagOf = (ref: string) => ref.slice(ref.lastIndexOf(":") + 1);

/** The app contract's defaults, from the stack config schema itself. */
function appContractDefaults(): Record<string, unknown> {
  const shape = (stackConfigSchema as unknown as { shape?: { app?: { parse(v: unknown): Record<string, unknown> } } }).shape;
  if (!shape?.app)
    throw new Error("infra/config/schema.ts stackConfigSchema no longer has an `app` object: the app image cannot take the contract's defaults from it");
  return shape.app.parse(undefined);
}

export const APP_IMAGE_USER: ImageUser = { name: "mcp", uid: 10001, gid: 10001, home: "/app", shell: "/sbin/nologin", gecos: "MCP gateway" };

export const appRecipe: Recipe = {
  name: "app",
  service: "app",
  async plan(): Promise<ImagePlan> {
    const tree = new ImageTree();
    addNode(tree, "/usr/local/bin/node");
    const server = await bundle({
      entry: join(ENTRIES, "app.ts"),
      format: "cjs",
      // pg loads its native binding only when asked for it; the image has none.
      external: ["pg-native"],
      define: { __APP_CONTRACT_DEFAULTS__: JSON.stringify(appContractDefaults()), __APP_VERSION__: JSON.stringify(tagOf(DEFAULT_IMAGES.app)) },
    });
    tree.file("/app/dist/server.cjs", server, { mode: 0o644 });
    addBase(tree, {
      users: [ROOT_USER, NOBODY_USER, APP_IMAGE_USER],
      groups: [ROOT_GROUP, NOBODY_GROUP, { name: "mcp", gid: 10001 }],
      busybox: "alpine",
      description: "mcp-gateway stand-in: the app contract (testing/stand-ins/app.ts) on node",
    });
    return {
      tree,
      config: {
        user: "10001:10001",
        env: { PATH: DEFAULT_PATH, NODE_ENV: "production" },
        workdir: "/app",
        expose: ["8080"],
        entrypoint: ["/usr/local/bin/node", "/app/dist/server.cjs"],
      },
      packages: ["libstdc++6", "libgcc-s1", ...BASE_PACKAGES],
      inputs: { node: process.version },
    };
  },
};

export const GRAFANA_IMAGE_USER: ImageUser = { name: "grafana", uid: 472, gid: 0, home: "/home/grafana", shell: "/sbin/nologin", gecos: "Linux User,,," };
const GF = {
  home: "/usr/share/grafana",
  config: "/etc/grafana/grafana.ini",
  data: "/var/lib/grafana",
  logs: "/var/log/grafana",
  plugins: "/var/lib/grafana/plugins",
  provisioning: "/etc/grafana/provisioning",
};

const GRAFANA_INI = `; The stand-in reads its settings from GF_* variables and cfg: arguments; this file exists
; because Grafana's image has one at GF_PATHS_CONFIG and /run.sh checks that it is readable.
[server]
http_port = 3000
`;

export const grafanaRecipe: Recipe = {
  name: "grafana",
  service: "grafana",
  async plan(): Promise<ImagePlan> {
    const tree = new ImageTree();
    addNode(tree, "/usr/lib/grafana-stand-in/node");
    const version = tagOf(DEFAULT_IMAGES.grafana);
    tree.file(
      "/usr/lib/grafana-stand-in/grafana.cjs",
      await bundle({ entry: join(ENTRIES, "grafana.ts"), format: "cjs", define: { __GRAFANA_VERSION__: JSON.stringify(version) } }),
      { mode: 0o644 },
    );
    tree.file(`${GF.home}/bin/grafana`, '#!/bin/sh\nexec /usr/lib/grafana-stand-in/node /usr/lib/grafana-stand-in/grafana.cjs "$@"\n', { mode: 0o755 });
    tree.file(`${GF.home}/conf/defaults.ini`, GRAFANA_INI);
    tree.file(`${GF.home}/conf/sample.ini`, GRAFANA_INI);
    tree.file(GF.config, GRAFANA_INI);
    tree.copy(join(FILES, "grafana-run.sh"), "/run.sh", { mode: 0o755 });
    tree.binary(requireHostFile("/usr/bin/bash", "bash"), "/bin/bash", { mode: 0o755 });
    tree.binary(requireHostFile("/usr/bin/curl", "curl"), "/usr/bin/curl", { mode: 0o755 });
    // As the upstream Dockerfile: grafana:root owns the writable paths, mode 777.
    const gf = { uid: 472, gid: 0 };
    for (const d of [
      GF.data,
      GF.plugins,
      GF.logs,
      `${GF.home}/.aws`,
      GF.provisioning,
      ...["datasources", "dashboards", "notifiers", "plugins", "access-control", "alerting"].map((s) => `${GF.provisioning}/${s}`),
    ])
      tree.dir(d, { owner: gf, mode: 0o777 });
    tree.dir("/home/grafana", { owner: gf });
    addBase(tree, {
      users: [ROOT_USER, NOBODY_USER, GRAFANA_IMAGE_USER],
      groups: [{ ...ROOT_GROUP, members: ["grafana"] }, NOBODY_GROUP],
      busybox: "alpine",
      description: "grafana-oss stand-in: the Grafana API subset of testing/stand-ins/grafana.ts on node",
    });
    return {
      tree,
      config: {
        user: "472",
        env: {
          PATH: `${GF.home}/bin:${DEFAULT_PATH}`,
          GF_PATHS_CONFIG: GF.config,
          GF_PATHS_DATA: GF.data,
          GF_PATHS_HOME: GF.home,
          GF_PATHS_LOGS: GF.logs,
          GF_PATHS_PLUGINS: GF.plugins,
          GF_PATHS_PROVISIONING: GF.provisioning,
        },
        workdir: GF.home,
        expose: ["3000"],
        entrypoint: ["/run.sh"],
      },
      packages: ["bash", "curl", "libstdc++6", "libgcc-s1", ...BASE_PACKAGES],
      inputs: { node: process.version },
    };
  },
};
