/**
 * postgres:16.4-alpine3.20 stand-in: Debian's PostgreSQL 15 (server and client binaries
 * where Debian keeps them, linked from /usr/local/bin as the upstream image installs them),
 * its extension libraries and share directory, the timezone database and the C.UTF-8
 * locale, bash, the postgres user 70:70, the upstream directories and modes, and an
 * entrypoint of this project's own (files/postgres-entrypoint.sh). The backup image
 * (backup.ts) starts from the same tree.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { addBase, BASE_PACKAGES, DEFAULT_PATH, NOBODY_GROUP, NOBODY_USER, owner, ROOT_GROUP, ROOT_USER, type ImageUser } from "../base";
import { dpkgVersions, requireHostFile } from "../host";
import type { ImageConfig, ImagePlan, Recipe } from "../recipe";
import { ImageTree } from "../tree";

const FILES = join(__dirname, "..", "files");
export const PG_MAJOR = "15";
const PG_BIN = `/usr/lib/postgresql/${PG_MAJOR}/bin`;
const PG_LIB = `/usr/lib/postgresql/${PG_MAJOR}/lib`;
const PG_SHARE = `/usr/share/postgresql/${PG_MAJOR}`;
export const POSTGRES_IMAGE_USER: ImageUser = { name: "postgres", uid: 70, gid: 70, home: "/var/lib/postgresql", shell: "/bin/sh", gecos: "PostgreSQL user" };
export const POSTGRES_PACKAGES = [`postgresql-${PG_MAJOR}`, `postgresql-client-${PG_MAJOR}`, "libpq5", "tzdata", "bash", "libc-bin", ...BASE_PACKAGES];

/** The postgres tree without the base skeleton, so the backup image can add to it first. */
export function postgresTree(): { tree: ImageTree; config: ImageConfig } {
  const tree = new ImageTree();
  requireHostFile(join(PG_BIN, "postgres"), `postgresql-${PG_MAJOR}`);
  requireHostFile(join(PG_BIN, "psql"), `postgresql-client-${PG_MAJOR}`);
  for (const name of readdirSync(PG_BIN).sort()) {
    const host = join(PG_BIN, name);
    if (name === "postmaster") tree.symlink(host, "postgres");
    else if (statSync(host).isFile()) tree.binary(host);
    // PostgreSQL finds its share and lib directories relative to the real binary, so the
    // binaries stay in Debian's layout and PATH reaches them through links.
    tree.symlink(`/usr/local/bin/${name}`, host);
  }
  // Loadable modules (plpgsql, contrib, encodings); LLVM JIT is left out: without it the
  // server simply does not JIT.
  for (const name of readdirSync(PG_LIB).sort()) {
    if (!name.endsWith(".so") || name.startsWith("llvmjit")) continue;
    tree.binary(join(PG_LIB, name));
  }
  tree.copyTree(PG_SHARE, PG_SHARE, { skip: (rel) => rel === "man" });
  // Debian's PostgreSQL reads the system timezone database (--with-system-tzdata).
  tree.copyTree(requireHostFile("/usr/share/zoneinfo", "tzdata"), "/usr/share/zoneinfo", { skip: (rel) => rel === "right" || rel === "posix" });
  tree.symlink("/etc/localtime", "/usr/share/zoneinfo/Etc/UTC");
  // glibc's only built locale here: initdb needs the one LANG names to exist.
  tree.copyTree(requireHostFile("/usr/lib/locale/C.utf8", "libc-bin"), "/usr/lib/locale/C.utf8");
  // initdb asks `locale -a` for the collations to import.
  tree.binary(requireHostFile("/usr/bin/locale", "libc-bin"), "/usr/bin/locale", { mode: 0o755 });
  tree.binary(requireHostFile("/usr/bin/bash", "bash"), "/bin/bash", { mode: 0o755 });

  const pg = owner(POSTGRES_IMAGE_USER);
  tree.dir("/var/lib/postgresql", { owner: pg, mode: 0o1777 });
  // 1777 until the entrypoint makes PGDATA 0700: any --user can initialise it.
  tree.dir("/var/lib/postgresql/data", { owner: pg, mode: 0o1777 });
  // /var/run is a link to /run, as in Alpine.
  tree.dir("/run/postgresql", { owner: pg, mode: 0o3777 });
  tree.dir("/docker-entrypoint-initdb.d");
  tree.copy(join(FILES, "postgres-entrypoint.sh"), "/usr/local/bin/docker-entrypoint.sh", { mode: 0o755 });

  const version = dpkgVersions([`postgresql-${PG_MAJOR}`])[`postgresql-${PG_MAJOR}`].replace(/-.*/, "");
  const config: ImageConfig = {
    env: {
      PATH: DEFAULT_PATH,
      // Upstream: en_US.utf8 (musl accepts any name); glibc here has only C.UTF-8 built.
      LANG: "C.UTF-8",
      PG_MAJOR,
      PG_VERSION: version,
      PGDATA: "/var/lib/postgresql/data",
    },
    volumes: ["/var/lib/postgresql/data"],
    expose: ["5432"],
    stopSignal: "SIGINT",
    entrypoint: ["docker-entrypoint.sh"],
    cmd: ["postgres"],
  };
  return { tree, config };
}

export function addPostgresBase(tree: ImageTree, description: string): void {
  addBase(tree, {
    users: [ROOT_USER, NOBODY_USER, POSTGRES_IMAGE_USER],
    groups: [ROOT_GROUP, NOBODY_GROUP, { name: "postgres", gid: 70 }],
    busybox: "alpine",
    description,
  });
}

export const postgresRecipe: Recipe = {
  name: "postgres",
  service: "postgres",
  async plan(): Promise<ImagePlan> {
    const { tree, config } = postgresTree();
    addPostgresBase(tree, `postgres stand-in: Debian postgresql-${PG_MAJOR} on an Alpine-like base`);
    return { tree, config, packages: POSTGRES_PACKAGES };
  },
};
