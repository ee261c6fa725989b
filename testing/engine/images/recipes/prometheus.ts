/**
 * The Prometheus-project images (prom/prometheus, prom/alertmanager, prom/node-exporter,
 * prom/blackbox-exporter, prometheuscommunity/postgres-exporter): one Go binary on the
 * quay.io/prometheus/busybox base (busybox:glibc: glibc, every applet in /bin, nobody
 * 65534), at the upstream path, with the upstream USER, ENTRYPOINT, CMD, WORKDIR and VOLUME.
 * The binaries are Debian's, older than the upstream tags (see differences.ts).
 */
import { addBase, BASE_PACKAGES, DEFAULT_PATH, NOBODY_GROUP, NOBODY_USER, owner, ROOT_GROUP, ROOT_USER } from "../base";
import { requireHostFile } from "../host";
import type { ImageConfig, ImagePlan, Recipe } from "../recipe";
import { ImageTree } from "../tree";
import type { ServiceName } from "../../../../infra/config/schema";

const NOBODY = owner(NOBODY_USER);

interface GoImage {
  name: string;
  service: ServiceName;
  pkg: string;
  /** Debian's binary -> the upstream image's path. */
  binaries: { host: string; image: string }[];
  extra?: (tree: ImageTree) => void;
  config: Omit<ImageConfig, "env"> & { env?: Record<string, string> };
}

function busyboxGoImage(image: GoImage): Recipe {
  return {
    name: image.name,
    service: image.service,
    async plan(): Promise<ImagePlan> {
      const tree = new ImageTree();
      for (const b of image.binaries) tree.binary(requireHostFile(b.host, image.pkg), b.image, { mode: 0o755 });
      image.extra?.(tree);
      addBase(tree, {
        users: [ROOT_USER, NOBODY_USER],
        groups: [ROOT_GROUP, NOBODY_GROUP],
        busybox: "bin",
        description: `${image.name} stand-in: Debian ${image.pkg} on a busybox:glibc-like base`,
      });
      return { tree, config: { ...image.config, env: { PATH: DEFAULT_PATH, ...image.config.env } }, packages: [image.pkg, ...BASE_PACKAGES] };
    },
  };
}

const PROMETHEUS_YML = `# The image's default configuration (the stack mounts its own).
global:
  scrape_interval: 15s
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ["localhost:9090"]
`;

const ALERTMANAGER_YML = `# The image's default configuration (the stack mounts its own).
route:
  receiver: default
receivers:
  - name: default
`;

export const prometheusRecipe = busyboxGoImage({
  name: "prometheus",
  service: "prometheus",
  pkg: "prometheus",
  binaries: [
    { host: "/usr/bin/prometheus", image: "/bin/prometheus" },
    { host: "/usr/bin/promtool", image: "/bin/promtool" },
  ],
  extra(tree) {
    tree.dir("/etc/prometheus", { owner: NOBODY }).file("/etc/prometheus/prometheus.yml", PROMETHEUS_YML, { owner: NOBODY });
    // Debian's build reads its web assets from disk, not from the binary.
    tree.copyTree(requireHostFile("/usr/share/prometheus/web", "prometheus"), "/usr/share/prometheus/web");
    tree.copyTree("/usr/share/doc/prometheus/examples/console_libraries", "/usr/share/prometheus/console_libraries");
    tree.copyTree("/usr/share/doc/prometheus/examples/consoles", "/usr/share/prometheus/consoles");
    tree.dir("/prometheus", { owner: NOBODY });
  },
  config: {
    user: "nobody",
    expose: ["9090"],
    volumes: ["/prometheus"],
    workdir: "/prometheus",
    entrypoint: ["/bin/prometheus"],
    cmd: [
      "--config.file=/etc/prometheus/prometheus.yml",
      "--storage.tsdb.path=/prometheus",
      "--web.console.libraries=/usr/share/prometheus/console_libraries",
      "--web.console.templates=/usr/share/prometheus/consoles",
    ],
  },
});

export const alertmanagerRecipe = busyboxGoImage({
  name: "alertmanager",
  service: "alertmanager",
  pkg: "prometheus-alertmanager",
  binaries: [
    { host: "/usr/bin/prometheus-alertmanager", image: "/bin/alertmanager" },
    { host: "/usr/bin/amtool", image: "/bin/amtool" },
  ],
  extra(tree) {
    tree.dir("/etc/alertmanager", { owner: NOBODY }).file("/etc/alertmanager/alertmanager.yml", ALERTMANAGER_YML, { owner: NOBODY });
    // Debian's build loads the notification templates and the UI from here.
    tree.copyTree(requireHostFile("/usr/share/prometheus/alertmanager", "prometheus-alertmanager"), "/usr/share/prometheus/alertmanager");
    tree.dir("/alertmanager", { owner: NOBODY });
  },
  config: {
    user: "nobody",
    expose: ["9093"],
    volumes: ["/alertmanager"],
    workdir: "/alertmanager",
    entrypoint: ["/bin/alertmanager"],
    cmd: ["--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager"],
  },
});

export const nodeExporterRecipe = busyboxGoImage({
  name: "node-exporter",
  service: "nodeExporter",
  pkg: "prometheus-node-exporter",
  binaries: [{ host: "/usr/bin/prometheus-node-exporter", image: "/bin/node_exporter" }],
  config: { user: "nobody", expose: ["9100"], entrypoint: ["/bin/node_exporter"] },
});

export const blackboxExporterRecipe = busyboxGoImage({
  name: "blackbox-exporter",
  service: "blackboxExporter",
  pkg: "prometheus-blackbox-exporter",
  binaries: [{ host: "/usr/bin/prometheus-blackbox-exporter", image: "/bin/blackbox_exporter" }],
  extra(tree) {
    tree.copy(requireHostFile("/etc/prometheus/blackbox.yml", "prometheus-blackbox-exporter"), "/etc/blackbox_exporter/config.yml", { mode: 0o644 });
  },
  // Upstream sets no USER: the program runs it as nobody.
  config: { expose: ["9115"], entrypoint: ["/bin/blackbox_exporter"], cmd: ["--config.file=/etc/blackbox_exporter/config.yml"] },
});

export const postgresExporterRecipe = busyboxGoImage({
  name: "postgres-exporter",
  service: "postgresExporter",
  pkg: "prometheus-postgres-exporter",
  binaries: [{ host: "/usr/bin/prometheus-postgres-exporter", image: "/bin/postgres_exporter" }],
  config: { user: "nobody", expose: ["9187"], entrypoint: ["/bin/postgres_exporter"] },
});
