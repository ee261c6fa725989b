/**
 * The Grafana settings the stack sets or its rules name, as Grafana documents them: a
 * `[section] key` of conf/defaults.ini becomes the environment variable
 * `GF_<SECTION>_<KEY>` (upper case, `.` and `-` as `_`), and the image's run.sh reads
 * `GF_<SECTION>_<KEY>__FILE` (two underscores) from a file. A name outside this table is a
 * typo Grafana ignores without a word: GF_SECURITY_ADMIN_PASSWORD_FILE (one underscore) leaves
 * the admin password at "admin". tests/policies/remediation-names.test.ts holds the program's
 * environment and every policy text to it.
 */

export const GRAFANA_SETTINGS_SOURCES = [
  "grafana/grafana@002060fdad conf/defaults.ini (sections and keys)",
  "grafana.com/docs/grafana/latest/setup-grafana/configure-grafana/#override-configuration-with-environment-variables (GF_<SectionName>_<KeyName>)",
  "grafana/grafana packaging/docker/run.sh (GF_*__FILE read from the file; GF_PATHS_* and GF_INSTALL_PLUGINS, GF_AWS_PROFILES handled by the entrypoint)",
] as const;

/** `[section]` → keys, for the settings this project uses. */
export const GRAFANA_SETTINGS: Readonly<Record<string, readonly string[]>> = {
  paths: ["data", "logs", "plugins", "provisioning"],
  server: ["http_addr", "http_port", "root_url", "serve_from_sub_path"],
  analytics: ["reporting_enabled", "check_for_updates", "check_for_plugin_updates", "feedback_links_enabled"],
  security: ["admin_user", "admin_password", "cookie_secure", "disable_gravatar"],
  snapshots: ["external_enabled"],
  users: ["allow_sign_up", "allow_org_create"],
  auth: ["disable_login_form"],
  "auth.anonymous": ["enabled"],
  "auth.proxy": ["enabled"],
  log: ["mode"],
  metrics: ["enabled"],
  news: ["news_feed_enabled"],
};

/** Variables the image's Dockerfile and run.sh read themselves (not ini settings). */
export const GRAFANA_ENTRYPOINT_ENV = ["GF_PATHS_CONFIG", "GF_PATHS_HOME", "GF_INSTALL_PLUGINS", "GF_AWS_PROFILES", "GF_UID", "GF_GID"] as const;

const envPart = (s: string) => s.toUpperCase().replace(/[.-]/g, "_");

/** The setting a GF_ variable sets (`fromFile` for the `__FILE` form), or undefined when Grafana has no such setting. */
export function grafanaSettingOf(name: string): { section: string; key: string; fromFile: boolean } | undefined {
  const fromFile = name.endsWith("__FILE");
  const base = fromFile ? name.slice(0, -"__FILE".length) : name;
  for (const [section, keys] of Object.entries(GRAFANA_SETTINGS))
    for (const key of keys) if (base === `GF_${envPart(section)}_${envPart(key)}`) return { section, key, fromFile };
  return undefined;
}

/** Whether the Grafana image does something with this variable. */
export function isGrafanaVariable(name: string): boolean {
  return grafanaSettingOf(name) !== undefined || (GRAFANA_ENTRYPOINT_ENV as readonly string[]).includes(name);
}
