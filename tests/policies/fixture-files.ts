/**
 * The configuration files of the fixture stacks, written by hand (not by the infra
 * renderers), so the policy tests prove the rules against the documented formats rather
 * than against one renderer's output. Values that look like generated secrets are fixed, so
 * failures are reproducible; tests search every output for them.
 */

export const REDIS_PASSWORD = "Kp7-xQ2_vB9.mZ4~wR6!tY8#nL3%jH5^";
export const GRAFANA_PASSWORD = "Gf4+Qa8=Zx1*Ws5-Ed9_Rc2.Tv6~Yb3!";
export const POSTGRES_PASSWORD = "Pg2=Hn7*Xc4-Lm9_Qs1.Vt6~Bw8!Zd3#";
export const AGE_IDENTITY = "AGE-SECRET-KEY-1QYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQS";
export const OFFSITE_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
export const TLS_KEY = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n";
export const TLS_CERT = "-----BEGIN CERTIFICATE-----\nMIIBfzCCASWgAwIBAgIUFixture\n-----END CERTIFICATE-----\n";

/** Every fixed secret value, for leak searches. */
export const FIXTURE_SECRETS = [REDIS_PASSWORD, GRAFANA_PASSWORD, POSTGRES_PASSWORD, AGE_IDENTITY, OFFSITE_KEY];

/** nginx.conf with an upstream of the given servers (the app service's alias, or one per container). */
export function nginxConf(upstream: string[]): string {
  return `
events { worker_connections 512; }
http {
  limit_req_zone $binary_remote_addr zone=per_ip:10m rate=20r/s;
  upstream app_pool {
${upstream.map((u) => `    server ${u};`).join("\n")}
  }
  server {
    listen 8080;
    location / { return 308 https://$host$request_uri; }
    location /.well-known/acme-challenge/ { root /var/www/acme; }
  }
  server {
    listen 8443 ssl;
    ssl_certificate /etc/nginx/tls/server.crt;
    ssl_certificate_key /run/secrets/tls.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    add_header Strict-Transport-Security "max-age=63072000" always;
    limit_req zone=per_ip burst=40;
    location / { proxy_pass http://app_pool; }
    location = /metrics { return 404; }
    location /mcp {
      proxy_pass http://app_pool;
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_read_timeout 1h;
    }
  }
  server {
    listen 8081;
    location = /stub_status { stub_status; }
  }
}
`;
}

export const REDIS_CONF = `# fixture redis.conf
port 6379
protected-mode yes
maxmemory 64mb
include /run/secrets/redis-auth.conf
`;

export const POSTGRES_CONF = `listen_addresses = '*'
ssl = on
ssl_min_protocol_version = 'TLSv1.2'
password_encryption = 'scram-sha-256'   # SCRAM only
`;

export const PG_HBA = `# TYPE DATABASE USER ADDRESS METHOD
local all all scram-sha-256
hostssl all all 10.0.0.0 255.0.0.0 scram-sha-256
hostnossl all all all reject
`;

export const PROMETHEUS_YML = `global:
  scrape_interval: 15s
rule_files:
  - rules/*.yml
alerting:
  alertmanagers:
    - static_configs:
        - targets: ["alertmanager:9093"]
scrape_configs:
  - job_name: app
    static_configs:
      - targets: ["app:8080"]
`;

export const ALERT_RULES = `groups:
  - name: mcp
    rules:
      - alert: AppDown
        expr: up{job="app"} == 0
        for: 1m
        labels: { severity: critical }
        annotations: { summary: "app down" }
      - alert: HighLatency
        expr: histogram_quantile(0.95, rate(http_request_duration_seconds_bucket[5m])) > 0.5
        for: 10m
        labels:
          severity: warning
`;

export const ALERTMANAGER_YML = `route:
  receiver: oncall
  routes:
    - matchers: ['severity="warning"']
      receiver: ops
receivers:
  - name: oncall
    webhook_configs:
      - url: https://events.example.com/hook
  - name: ops
    email_configs:
      - to: ops@example.com
`;

export const BACKUP_ENV: Record<string, string> = {
  MCP_BACKUP_INTERVAL_SECONDS: "21600",
  MCP_BACKUP_KEEP_LAST: "7",
  MCP_BACKUP_MAX_AGE_DAYS: "14",
  MCP_BACKUP_IDENTITY_FILE: "/run/secrets/backup-age-identity",
  MCP_BACKUP_OFFSITE: "1",
  MCP_BACKUP_OFFSITE_ENDPOINT: "https://s3.example.com",
  MCP_BACKUP_OFFSITE_BUCKET: "mcp-backups",
  MCP_BACKUP_OFFSITE_ACCESS_KEY_ID: "AKIATEST",
  MCP_BACKUP_OFFSITE_SECRET_KEY_FILE: "/run/secrets/offsite-key",
};

export const GRAFANA_ENV: Record<string, string> = {
  GF_SECURITY_ADMIN_USER: "mcp-admin",
  GF_SECURITY_ADMIN_PASSWORD__FILE: "/run/secrets/grafana-admin-password",
  GF_AUTH_ANONYMOUS_ENABLED: "false",
  GF_USERS_ALLOW_SIGN_UP: "false",
};

export const APP_ENV: Record<string, string> = {
  PORT: "8080",
  DATABASE_PASSWORD_FILE: "/run/secrets/postgres-password",
  DATABASE_SSLMODE: "verify-full",
  AUTH_REQUIRED: "true",
};
