/**
 * ghcr.io/mcp-platform/mcp-backup:16.4-1 stand-in, built the way infra/images/backup/Dockerfile builds
 * it: the postgres stand-in plus age and rclone, the backup and textfile directories owned
 * by 70:70 (0700 and 0755: Docker copies them into the empty named volumes mounted there),
 * the repository's mcp-backup.sh and inventory.sql in /opt/mcp-backup, USER 70:70, and the
 * script as entrypoint with `daemon` as command.
 */
import { owner } from "../base";
import { requireHostFile } from "../host";
import type { ImagePlan, Recipe } from "../recipe";
import { addPostgresBase, POSTGRES_IMAGE_USER, POSTGRES_PACKAGES, postgresTree } from "./postgres";
import { BACKUP_INVENTORY_FILE, BACKUP_SCRIPT_FILE } from "../../../../infra/components/backup";

export const backupRecipe: Recipe = {
  name: "backup",
  service: "backup",
  async plan(): Promise<ImagePlan> {
    const { tree, config } = postgresTree();
    tree.binary(requireHostFile("/usr/bin/age", "age"), "/usr/bin/age", { mode: 0o755 });
    tree.binary(requireHostFile("/usr/bin/age-keygen", "age"), "/usr/bin/age-keygen", { mode: 0o755 });
    tree.binary(requireHostFile("/usr/bin/rclone", "rclone"), "/usr/bin/rclone", { mode: 0o755 });
    const pg = owner(POSTGRES_IMAGE_USER);
    tree.dir("/var/backups/mcp", { owner: pg, mode: 0o700 });
    tree.dir("/var/lib/node-exporter/textfile", { owner: pg, mode: 0o755 });
    tree.dir("/opt/mcp-backup", { mode: 0o755 });
    tree.copy(BACKUP_SCRIPT_FILE, "/opt/mcp-backup/mcp-backup.sh", { mode: 0o755 });
    tree.copy(BACKUP_INVENTORY_FILE, "/opt/mcp-backup/inventory.sql", { mode: 0o644 });
    addPostgresBase(tree, "mcp-backup stand-in: the postgres stand-in plus Debian age and rclone");
    return {
      tree,
      config: { ...config, user: "70:70", entrypoint: ["/bin/sh", "/opt/mcp-backup/mcp-backup.sh"], cmd: ["daemon"] },
      packages: [...POSTGRES_PACKAGES, "age", "rclone"],
    };
  },
};
