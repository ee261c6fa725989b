#!/bin/sh
# mcp-backup: scheduled, encrypted, verified PostgreSQL backups for the MCP stack.
#
# The backup container runs THIS file (infra/components/backup.ts uploads it next to
# inventory.sql); the tests in tests/backup run the same file against a real PostgreSQL,
# under busybox sh as in the Alpine image. POSIX sh only: busybox ash and dash.
#
#   mcp-backup.sh daemon          run a backup every MCP_BACKUP_INTERVAL_SECONDS (the container's command)
#   mcp-backup.sh run             one backup now: dump, encrypt, verify, manifest, off-site copy, prune, metrics
#   mcp-backup.sh prune           apply the retention policy now
#   mcp-backup.sh plan-retention  read "EPOCH NAME" lines on stdin, print the names the policy deletes
#   mcp-backup.sh health          exit 0 when the last run succeeded within 1.5 x the interval
#   mcp-backup.sh live            exit 0 while the daemon runs with a valid configuration (the service health check:
#                                 it must not wait for a first backup, whose off-site copy may take longer than a deploy)
#   mcp-backup.sh check-config    validate settings, tools and the key, then exit
#
# Each backup is `pg_dump -Fc` (gzip level 6 inside the archive) encrypted with age to the
# X25519 recipient of the stack's key, written as NAME.dump.age plus NAME.manifest.json
# (time, size, SHA-256, per-table row counts and schema). Backups are read back (decrypted
# and parsed end to end, while they are written) before they count. See backup/README.md for
# every setting.
#
# Exit codes: 0 ok, 1 backup failed, 64 bad configuration, 69 a tool is missing,
# 75 another run holds the lock.

set -u
umask 077

SELF_DIR=$(cd "$(dirname "$0")" && pwd)
SELF="$SELF_DIR/$(basename "$0")"
# The shell that runs us runs our children too (psql's \! re-enters this script).
MCP_BACKUP_SHELL=${MCP_BACKUP_SHELL:-/bin/sh}
MANIFEST_FORMAT_VERSION=1
METRICS_FILE_NAME=mcp_backup.prom

log() {
  # logfmt to stderr (container logs). Never pass a secret here: none is ever read into a variable
  # except the off-site key, which goes straight into rclone's environment.
  printf 'time=%s level=%s component=mcp-backup msg="%s"\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$1" "$2" >&2
}
die() {
  log error "$1"
  exit "${2:-1}"
}

is_uint() {
  case "${1:-}" in '' | *[!0-9]*) return 1 ;; esac
  return 0
}

# A path we embed in psql meta-commands and JSON: keep it free of quoting hazards.
is_plain_path() {
  case "${1:-}" in '' | *[!A-Za-z0-9/._-]*) return 1 ;; esac
  return 0
}

now_epoch() {
  if [ -n "${MCP_BACKUP_NOW:-}" ]; then printf '%s\n' "$MCP_BACKUP_NOW"; else date +%s; fi
}

# ---------------------------------------------------------------------------------------
# Configuration (environment only; secrets only as file paths)
# ---------------------------------------------------------------------------------------

load_config() {
  problems=""
  add_problem() { problems="${problems}
  - $1"; }

  BACKUP_DIR=${MCP_BACKUP_DIR:-}
  if [ -z "$BACKUP_DIR" ]; then add_problem "MCP_BACKUP_DIR is not set (directory the backups are written to)"
  elif ! is_plain_path "$BACKUP_DIR"; then add_problem "MCP_BACKUP_DIR=\"$BACKUP_DIR\" must be an absolute path of letters, digits and ./_-"
  elif [ ! -d "$BACKUP_DIR" ] || [ ! -w "$BACKUP_DIR" ]; then add_problem "MCP_BACKUP_DIR=$BACKUP_DIR is not a writable directory"; fi

  INTERVAL=${MCP_BACKUP_INTERVAL_SECONDS:-}
  if ! is_uint "$INTERVAL" || [ "$INTERVAL" -lt 1 ]; then add_problem "MCP_BACKUP_INTERVAL_SECONDS=\"$INTERVAL\" must be a whole number of seconds >= 1 (the backup schedule)"; fi
  KEEP_LAST=${MCP_BACKUP_KEEP_LAST:-}
  if ! is_uint "$KEEP_LAST" || [ "$KEEP_LAST" -lt 1 ]; then add_problem "MCP_BACKUP_KEEP_LAST=\"$KEEP_LAST\" must be a whole number >= 1 (newest backups always kept)"; fi
  MAX_AGE_DAYS=${MCP_BACKUP_MAX_AGE_DAYS:-}
  if ! is_uint "$MAX_AGE_DAYS" || [ "$MAX_AGE_DAYS" -lt 1 ]; then add_problem "MCP_BACKUP_MAX_AGE_DAYS=\"$MAX_AGE_DAYS\" must be a whole number of days >= 1"; fi
  RETRY_SECONDS=${MCP_BACKUP_RETRY_SECONDS:-300}
  if ! is_uint "$RETRY_SECONDS" || [ "$RETRY_SECONDS" -lt 1 ]; then add_problem "MCP_BACKUP_RETRY_SECONDS=\"$RETRY_SECONDS\" must be a whole number >= 1"; fi

  IDENTITY_FILE=${MCP_BACKUP_IDENTITY_FILE:-}
  if [ -z "$IDENTITY_FILE" ]; then add_problem "MCP_BACKUP_IDENTITY_FILE is not set (age identity derived from the stack's backupEncryptionKey)"
  elif [ ! -r "$IDENTITY_FILE" ]; then add_problem "MCP_BACKUP_IDENTITY_FILE=$IDENTITY_FILE is not readable"; fi

  TEXTFILE_DIR=${MCP_BACKUP_TEXTFILE_DIR:-}
  if [ -n "$TEXTFILE_DIR" ] && { [ ! -d "$TEXTFILE_DIR" ] || [ ! -w "$TEXTFILE_DIR" ]; }; then add_problem "MCP_BACKUP_TEXTFILE_DIR=$TEXTFILE_DIR is not a writable directory"; fi

  if [ -z "${PGDATABASE:-}" ]; then add_problem "PGDATABASE is not set (database to back up)"; fi
  if [ -z "${PGHOST:-}" ]; then add_problem "PGHOST is not set"; fi
  if [ -z "${PGUSER:-}" ]; then add_problem "PGUSER is not set (the read-only backup role)"; fi
  if [ -n "${PGPASSFILE:-}" ] && [ ! -r "$PGPASSFILE" ]; then add_problem "PGPASSFILE=$PGPASSFILE is not readable"; fi
  case "${PGDATABASE:-x}" in *[!A-Za-z0-9_]*) add_problem "PGDATABASE=\"$PGDATABASE\" must be letters, digits and _" ;; esac
  export PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-10}"

  OFFSITE=${MCP_BACKUP_OFFSITE:-0}
  case "$OFFSITE" in
    0 | false) OFFSITE=0 ;;
    1 | true)
      OFFSITE=1
      for v in MCP_BACKUP_OFFSITE_ENDPOINT MCP_BACKUP_OFFSITE_BUCKET MCP_BACKUP_OFFSITE_REGION MCP_BACKUP_OFFSITE_ACCESS_KEY_ID MCP_BACKUP_OFFSITE_SECRET_KEY_FILE; do
        eval "val=\${$v:-}"
        [ -n "$val" ] || add_problem "$v is required when MCP_BACKUP_OFFSITE=1"
      done
      if [ -n "${MCP_BACKUP_OFFSITE_SECRET_KEY_FILE:-}" ] && [ ! -r "$MCP_BACKUP_OFFSITE_SECRET_KEY_FILE" ]; then
        add_problem "MCP_BACKUP_OFFSITE_SECRET_KEY_FILE=$MCP_BACKUP_OFFSITE_SECRET_KEY_FILE is not readable"
      fi
      ;;
    *) add_problem "MCP_BACKUP_OFFSITE=\"$OFFSITE\" must be 0 or 1" ;;
  esac

  if [ -n "$problems" ]; then
    log error "invalid backup configuration:$(printf '%s' "$problems" | tr '\n' ';')"
    printf 'mcp-backup: invalid configuration:%s\n' "$problems" >&2
    exit 64
  fi
  # Nothing is ever written relative to the working directory; the root fs is read-only anyway.
  cd "$BACKUP_DIR" || die "cannot enter $BACKUP_DIR" 64
  STATE_DIR="$BACKUP_DIR/.state"
  mkdir -p "$STATE_DIR" || die "cannot create $STATE_DIR" 64
  INVENTORY_SQL="$SELF_DIR/inventory.sql"
  [ -r "$INVENTORY_SQL" ] || die "inventory.sql not found next to $SELF" 64
}

require_tools() {
  missing=""
  for t in pg_dump pg_restore psql age age-keygen sha256sum tee mkfifo; do
    command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
  done
  if [ "$OFFSITE" = 1 ]; then command -v rclone >/dev/null 2>&1 || missing="$missing rclone"; fi
  [ -z "$missing" ] || die "required tools not found on PATH:$missing (the backup image is infra/images/backup/Dockerfile: postgres + age + rclone)" 69
}

# The age recipient (public key) of the identity file; fails clearly on a malformed key.
recipient_of_identity() {
  r=$(age-keygen -y "$IDENTITY_FILE" 2>/dev/null | head -n 1)
  case "$r" in
    age1*) printf '%s\n' "$r" ;;
    *) return 1 ;;
  esac
}

# ---------------------------------------------------------------------------------------
# Retention: pure decision, then the deletion
# ---------------------------------------------------------------------------------------

# stdin: "EPOCH NAME" per complete backup. stdout: NAMEs to delete.
# Policy: sort newest first; a backup is deleted when it is NOT among the newest KEEP_LAST
# AND it is older than MAX_AGE_DAYS (age = now - EPOCH > MAX_AGE_DAYS * 86400 seconds).
# So the newest KEEP_LAST always survive, and anything within MAX_AGE_DAYS survives.
plan_retention() {
  sort -k1,1nr -k2,2r | awk -v now="$1" -v keep="$2" -v maxage="$(($3 * 86400))" '
    NF >= 2 { rank++; if (rank > keep && now - $1 > maxage) print $2 }'
}

# A top-level numeric field of a manifest, pretty-printed or not. JSON escapes quotes inside
# strings, so table or column names can never produce a false `"key": digits` match.
manifest_field_number() {
  sed -n "s/.*\"$2\" *: *\\([0-9][0-9]*\\).*/\\1/p" "$1" | head -n 1
}

# "EPOCH NAME" for every complete backup (one with a manifest).
list_backups() {
  for m in "$BACKUP_DIR"/*.manifest.json; do
    [ -e "$m" ] || continue
    name=$(basename "$m" .manifest.json)
    epoch=$(manifest_field_number "$m" createdAtEpoch)
    if is_uint "$epoch"; then printf '%s %s\n' "$epoch" "$name"; else log warn "manifest $m has no createdAtEpoch: left alone"; fi
  done
}

prune() {
  now=$(now_epoch)
  deleted=0
  for name in $(list_backups | plan_retention "$now" "$KEEP_LAST" "$MAX_AGE_DAYS"); do
    rm -f "$BACKUP_DIR/$name.dump.age" "$BACKUP_DIR/$name.manifest.json"
    deleted=$((deleted + 1))
    log info "retention: deleted $name (not among the newest $KEEP_LAST and older than $MAX_AGE_DAYS days)"
    if [ "$OFFSITE" = 1 ]; then
      offsite_delete "$name.dump.age" && offsite_delete "$name.manifest.json" || log warn "retention: off-site copy of $name could not be deleted; delete it by hand or with a bucket lifecycle rule"
    fi
  done
  # A data file without a manifest is an incomplete backup (a crash between the two
  # renames): never counted as a backup, deleted once older than MAX_AGE_DAYS.
  for f in "$BACKUP_DIR"/*.dump.age; do
    [ -e "$f" ] || continue
    [ -e "${f%.dump.age}.manifest.json" ] && continue
    mtime=$(stat -c %Y "$f" 2>/dev/null || echo "$now")
    if [ $((now - mtime)) -gt $((MAX_AGE_DAYS * 86400)) ]; then
      rm -f "$f"
      log info "retention: deleted incomplete backup $(basename "$f") (no manifest)"
    fi
  done
  KEPT=$(list_backups | wc -l | tr -d ' ')
  log info "retention: $deleted deleted, $KEPT kept (keepLast=$KEEP_LAST, maxAgeDays=$MAX_AGE_DAYS)"
}

# ---------------------------------------------------------------------------------------
# Off-site copy: rclone to any S3-compatible endpoint, configured through rclone's
# environment (no config file). The secret key goes only into rclone's environment.
# Every wait is bounded: rclone's defaults (1 min per connect, 5 min idle, 10 low-level
# retries of each of 3 tries) let an unreachable endpoint hold a run for an hour.
# ---------------------------------------------------------------------------------------

rclone_offsite() {
  RCLONE_CONFIG_OFFSITE_TYPE=s3 \
    RCLONE_CONFIG_OFFSITE_PROVIDER=Other \
    RCLONE_CONFIG_OFFSITE_ENDPOINT="$MCP_BACKUP_OFFSITE_ENDPOINT" \
    RCLONE_CONFIG_OFFSITE_REGION="$MCP_BACKUP_OFFSITE_REGION" \
    RCLONE_CONFIG_OFFSITE_ACCESS_KEY_ID="$MCP_BACKUP_OFFSITE_ACCESS_KEY_ID" \
    RCLONE_CONFIG_OFFSITE_SECRET_ACCESS_KEY="$(cat "$MCP_BACKUP_OFFSITE_SECRET_KEY_FILE")" \
    rclone --config /dev/null --retries 3 --low-level-retries 3 --contimeout 15s --timeout 60s --s3-no-check-bucket "$@"
}

offsite_path() {
  printf 'offsite:%s/%s%s\n' "$MCP_BACKUP_OFFSITE_BUCKET" "${MCP_BACKUP_OFFSITE_PREFIX:-}" "$1"
}

offsite_copy() {
  rclone_offsite copyto "$BACKUP_DIR/$1" "$(offsite_path "$1")"
}

offsite_delete() {
  rclone_offsite deletefile "$(offsite_path "$1")"
}

# ---------------------------------------------------------------------------------------
# State and metrics
# ---------------------------------------------------------------------------------------

state_get() {
  if [ -r "$STATE_DIR/$1" ]; then head -n 1 "$STATE_DIR/$1"; else printf '%s\n' "${2:-0}"; fi
}

state_set() {
  printf '%s\n' "$2" >"$STATE_DIR/$1.tmp" && mv -f "$STATE_DIR/$1.tmp" "$STATE_DIR/$1"
}

# Prometheus textfile for node-exporter's textfile collector, replaced atomically (a
# name not ending in .prom while written, so the collector never reads half a file).
write_metrics() {
  [ -n "$TEXTFILE_DIR" ] || return 0
  tmp="$TEXTFILE_DIR/.$METRICS_FILE_NAME.$$"
  {
    echo "# HELP mcp_backup_last_success_timestamp_seconds Unix time the last successful backup finished (0: never)."
    echo "# TYPE mcp_backup_last_success_timestamp_seconds gauge"
    echo "mcp_backup_last_success_timestamp_seconds $(state_get last_success_epoch 0)"
    echo "# HELP mcp_backup_last_run_success Whether the last backup run succeeded (1) or failed (0)."
    echo "# TYPE mcp_backup_last_run_success gauge"
    echo "mcp_backup_last_run_success $(state_get last_run_success 0)"
    echo "# HELP mcp_backup_last_run_timestamp_seconds Unix time the last backup run ended."
    echo "# TYPE mcp_backup_last_run_timestamp_seconds gauge"
    echo "mcp_backup_last_run_timestamp_seconds $(state_get last_run_epoch 0)"
    echo "# HELP mcp_backup_last_duration_seconds Duration of the last successful backup."
    echo "# TYPE mcp_backup_last_duration_seconds gauge"
    echo "mcp_backup_last_duration_seconds $(state_get last_duration_seconds 0)"
    echo "# HELP mcp_backup_last_size_bytes Size of the last successful encrypted backup."
    echo "# TYPE mcp_backup_last_size_bytes gauge"
    echo "mcp_backup_last_size_bytes $(state_get last_size_bytes 0)"
    echo "# HELP mcp_backup_kept_backups Complete backups kept after retention."
    echo "# TYPE mcp_backup_kept_backups gauge"
    echo "mcp_backup_kept_backups $(state_get kept_count 0)"
    echo "# HELP mcp_backup_interval_seconds Configured time between backups."
    echo "# TYPE mcp_backup_interval_seconds gauge"
    echo "mcp_backup_interval_seconds $INTERVAL"
    echo "# HELP mcp_backup_offsite_enabled Whether backups are copied off-site."
    echo "# TYPE mcp_backup_offsite_enabled gauge"
    echo "mcp_backup_offsite_enabled $OFFSITE"
    if [ "$OFFSITE" = 1 ]; then
      echo "# HELP mcp_backup_offsite_last_success_timestamp_seconds Unix time of the last successful off-site copy (0: never)."
      echo "# TYPE mcp_backup_offsite_last_success_timestamp_seconds gauge"
      echo "mcp_backup_offsite_last_success_timestamp_seconds $(state_get offsite_last_success_epoch 0)"
    fi
  } >"$tmp" && chmod 0644 "$tmp" && mv -f "$tmp" "$TEXTFILE_DIR/$METRICS_FILE_NAME" || log warn "could not write metrics to $TEXTFILE_DIR"
}

# ---------------------------------------------------------------------------------------
# One backup
# ---------------------------------------------------------------------------------------

acquire_lock() {
  if mkdir "$BACKUP_DIR/.lock" 2>/dev/null; then
    echo $$ >"$BACKUP_DIR/.lock/pid"
    return 0
  fi
  holder=$(cat "$BACKUP_DIR/.lock/pid" 2>/dev/null || echo "?")
  if is_uint "$holder" && ! kill -0 "$holder" 2>/dev/null; then
    log warn "removing stale lock of pid $holder"
    rm -rf "$BACKUP_DIR/.lock"
    mkdir "$BACKUP_DIR/.lock" 2>/dev/null && echo $$ >"$BACKUP_DIR/.lock/pid" && return 0
  fi
  log error "another backup run (pid $holder) holds $BACKUP_DIR/.lock"
  return 1
}

release_lock() {
  rm -rf "$BACKUP_DIR/.lock"
}

FAIL_REASON=""
fail() {
  FAIL_REASON="$1"
  log error "$1"
  return 1
}

# Called by psql (\!) while the snapshot-exporting transaction is open: dumps exactly the
# snapshot the inventory was counted in, encrypts on the fly (no plaintext on disk), and
# verifies the encrypted bytes while they are written instead of reading the file back after:
# tee hands the same stream to the file, to sha256sum (through a FIFO) and to the read-back
# (age --decrypt, authenticated, into pg_restore, which parses every archive entry). tee exits 0
# only when every byte reached the file, so what was hashed and read back is what the file holds,
# as a read-back of the file (served from the page cache just written) would have seen it.
# Exit codes of every pipeline stage are written to files: POSIX sh has no pipefail. A verifier
# that stops early drains its input, so no stage upstream dies of a broken pipe and every exit
# code is that stage's own.
dump_in_snapshot() {
  : "${MCP_BACKUP_SNAPSHOT:?}" "${MCP_BACKUP_PARTIAL:?}" "${MCP_BACKUP_RC_DIR:?}" "${MCP_BACKUP_RECIPIENT:?}" "${MCP_BACKUP_IDENTITY_FILE:?}"
  rcd=$MCP_BACKUP_RC_DIR
  sum_fifo="$rcd/sha256.fifo"
  # The group, not the command, opens the FIFO: the reader exists even if sha256sum could not start.
  { sha256sum; echo $? >"$rcd/sha256sum"; } <"$sum_fifo" >"$rcd/sha256.out" &
  sum_pid=$!
  {
    pg_dump --no-password --snapshot="$MCP_BACKUP_SNAPSHOT" --format=custom --compress=6 "$PGDATABASE"
    echo $? >"$rcd/pg_dump"
  } | {
    age --encrypt --recipient "$MCP_BACKUP_RECIPIENT"
    echo $? >"$rcd/age"
  } | {
    tee "$MCP_BACKUP_PARTIAL" "$sum_fifo"
    echo $? >"$rcd/tee"
  } | {
    age --decrypt --identity "$MCP_BACKUP_IDENTITY_FILE"
    echo $? >"$rcd/verify_age"
    cat >/dev/null
  } | {
    pg_restore --file=/dev/null
    echo $? >"$rcd/verify_restore"
    cat >/dev/null
  }
  # Opening a FIFO read-write never blocks: this releases the reader if tee never opened it.
  exec 9<>"$sum_fifo"
  exec 9>&-
  wait "$sum_pid"
}

rc_ok() {
  [ "$(cat "$1" 2>/dev/null)" = 0 ]
}

backup_once() {
  started=$(date +%s)
  work="$BACKUP_DIR/.work-$$"
  rm -rf "$work" && mkdir "$work" || { fail "cannot create work dir $work"; return 1; }
  # Leftovers of a crashed run (we hold the lock, so nothing else is writing).
  rm -f "$BACKUP_DIR"/*.partial
  for d in "$BACKUP_DIR"/.work-*; do [ "$d" = "$work" ] || rm -rf "$d"; done

  recipient=$(recipient_of_identity) || { fail "MCP_BACKUP_IDENTITY_FILE does not hold a valid age identity (AGE-SECRET-KEY-1...)"; return 1; }

  # Name from the wall clock; a second run in the same second waits for the next one.
  i=0
  while :; do
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    name="$PGDATABASE-$stamp"
    [ -e "$BACKUP_DIR/$name.manifest.json" ] || [ -e "$BACKUP_DIR/$name.dump.age" ] || break
    i=$((i + 1))
    [ "$i" -lt 3 ] || { fail "backup $name already exists"; return 1; }
    sleep 1
  done
  data="$BACKUP_DIR/$name.dump.age"
  manifest="$BACKUP_DIR/$name.manifest.json"
  log info "backup $name: dumping database $PGDATABASE from $PGHOST:${PGPORT:-5432} as $PGUSER"

  mkfifo -m 600 "$work/sha256.fifo" || { fail "cannot create a FIFO in $work"; return 1; }
  MCP_BACKUP_PARTIAL="$data.partial" MCP_BACKUP_RC_DIR="$work" MCP_BACKUP_RECIPIENT="$recipient"
  MCP_BACKUP_SELF="$SELF" MCP_BACKUP_IDENTITY_FILE="$IDENTITY_FILE"
  # psql does not interpolate its variables in \!, so the dump step reads the environment.
  export MCP_BACKUP_PARTIAL MCP_BACKUP_RC_DIR MCP_BACKUP_RECIPIENT MCP_BACKUP_SHELL MCP_BACKUP_SELF MCP_BACKUP_IDENTITY_FILE
  # One read-only REPEATABLE READ transaction: export its snapshot, count rows in it, and
  # let pg_dump (--snapshot) dump the very same data while the transaction stays open.
  psql -X -q -At --no-password -v ON_ERROR_STOP=1 \
    -v inventory_out="$work/inventory.json" -v inventory_sql="$INVENTORY_SQL" \
    -d "$PGDATABASE" >"$work/psql.out" 2>"$work/psql.err" <<'SQL'
BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;
SELECT pg_export_snapshot() AS mcp_snapshot \gset
\o :inventory_out
\i :inventory_sql
\o
\setenv MCP_BACKUP_SNAPSHOT :mcp_snapshot
\! "$MCP_BACKUP_SHELL" "$MCP_BACKUP_SELF" _dump-in-snapshot
COMMIT;
SQL
  psql_rc=$?
  if [ "$psql_rc" -ne 0 ]; then
    fail "cannot read database $PGDATABASE at $PGHOST:${PGPORT:-5432} as $PGUSER (psql exit $psql_rc): $(tr '\n' ' ' <"$work/psql.err" | cut -c1-400)"
    return 1
  fi
  rc_ok "$work/pg_dump" || { fail "pg_dump failed (exit $(cat "$work/pg_dump" 2>/dev/null || echo '?')): $(tr '\n' ' ' <"$work/psql.err" | cut -c1-400)"; return 1; }
  rc_ok "$work/age" || { fail "age encryption failed (exit $(cat "$work/age" 2>/dev/null || echo '?'))"; return 1; }
  [ -s "$work/inventory.json" ] || { fail "inventory query returned nothing"; return 1; }
  # The read-back ran on the stream as it was written (dump_in_snapshot): a backup counts only
  # when it decrypted (authenticated) and pg_restore read every archive entry.
  rc_ok "$work/verify_age" || { fail "verification failed: the encrypted backup does not decrypt with the configured key"; return 1; }
  rc_ok "$work/verify_restore" || { fail "verification failed: pg_restore cannot read the decrypted archive"; return 1; }
  rc_ok "$work/tee" || { fail "cannot write $data.partial (tee exit $(cat "$work/tee" 2>/dev/null || echo '?'))"; return 1; }
  rc_ok "$work/sha256sum" || { fail "cannot compute the SHA-256 of the backup"; return 1; }
  log info "backup $name: verified while written (decrypted and read every archive entry)"

  # stat, not wc: wc reads all of the file again just to count it.
  size=$(stat -c %s "$data.partial")
  is_uint "$size" || { fail "cannot read the size of $data.partial"; return 1; }
  sha=$(cut -d' ' -f1 <"$work/sha256.out")
  case "$sha" in
    '' | *[!0-9a-f]*) fail "cannot compute the SHA-256 of the backup"; return 1 ;;
  esac
  finished=$(date +%s)
  snapshot_epoch=$(sed -n 's/.*"snapshotEpoch" *: *\([0-9][0-9]*\).*/\1/p' "$work/inventory.json" | head -n 1)
  is_uint "$snapshot_epoch" || snapshot_epoch=$started
  pg_dump_version=$(pg_dump --version | head -n 1)
  {
    echo "{"
    echo "  \"formatVersion\": $MANIFEST_FORMAT_VERSION,"
    echo "  \"kind\": \"mcp-postgres-backup\","
    echo "  \"file\": \"$name.dump.age\","
    echo "  \"database\": \"$PGDATABASE\","
    echo "  \"createdAt\": \"$(date -u -d "@$snapshot_epoch" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || date -u +%Y-%m-%dT%H:%M:%SZ)\","
    echo "  \"createdAtEpoch\": $snapshot_epoch,"
    echo "  \"startedAtEpoch\": $started,"
    echo "  \"finishedAtEpoch\": $finished,"
    echo "  \"durationSeconds\": $((finished - started)),"
    echo "  \"sizeBytes\": $size,"
    echo "  \"sha256\": \"$sha\","
    echo "  \"format\": \"pg_dump custom archive, gzip level 6\","
    echo "  \"pgDumpVersion\": \"$pg_dump_version\","
    echo "  \"encryption\": \"age X25519\","
    echo "  \"recipient\": \"$recipient\","
    echo "  \"verified\": true,"
    printf '  "inventory": %s\n' "$(cat "$work/inventory.json")"
    echo "}"
  } >"$manifest.partial" || { fail "cannot write manifest"; return 1; }
  chmod 0600 "$data.partial" "$manifest.partial"
  # Data first, manifest last: a manifest means a complete, verified backup.
  mv -f "$data.partial" "$data" && mv -f "$manifest.partial" "$manifest" || { fail "cannot publish $name"; return 1; }
  log info "backup $name: done, $size bytes, sha256 $sha, $((finished - started)) s"

  state_set last_success_epoch "$finished"
  state_set last_duration_seconds "$((finished - started))"
  state_set last_size_bytes "$size"
  state_set last_backup "$name"

  if [ "$OFFSITE" = 1 ]; then
    log info "backup $name: copying off-site to $(offsite_path "")"
    if offsite_copy "$name.dump.age" && offsite_copy "$name.manifest.json"; then
      state_set offsite_last_success_epoch "$(date +%s)"
    else
      fail "off-site copy of $name failed (the local backup is kept)"
      return 1
    fi
  fi
  return 0
}

cmd_run() {
  load_config
  require_tools
  acquire_lock || exit 75
  # Always release the lock and the work dir, also when a signal ends the run.
  trap 'release_lock; rm -rf "$BACKUP_DIR/.work-$$" "$BACKUP_DIR"/*.partial' EXIT
  trap 'exit 1' INT TERM
  if backup_once; then ok=1; else ok=0; fi
  rm -rf "$BACKUP_DIR/.work-$$" "$BACKUP_DIR"/*.partial
  # Retention runs after every run, successful or not: a failed run never deletes the
  # backups it would have replaced beyond what the policy allows anyway.
  prune
  state_set kept_count "$KEPT"
  state_set last_run_epoch "$(date +%s)"
  state_set last_run_success "$ok"
  if [ "$ok" = 1 ]; then state_set status "ok $(date +%s) $(state_get last_backup '')"; else state_set status "failed $(date +%s) $FAIL_REASON"; fi
  write_metrics
  [ "$ok" = 1 ] || exit 1
  exit 0
}

cmd_prune() {
  load_config
  acquire_lock || exit 75
  trap 'release_lock' EXIT
  prune
  state_set kept_count "$KEPT"
  write_metrics
}

cmd_health() {
  load_config
  status=$(state_get status "")
  set -- $status
  [ "${1:-}" = ok ] || { echo "unhealthy: last backup run ${1:-never ran}${2:+ at $2}"; exit 1; }
  age_s=$(($(now_epoch) - ${2:-0}))
  limit=$((INTERVAL * 3 / 2))
  [ "$age_s" -le "$limit" ] || { echo "unhealthy: last successful run ${age_s}s ago, more than 1.5 x interval (${limit}s)"; exit 1; }
  echo "healthy: last successful run ${age_s}s ago"
}

cmd_live() {
  load_config
  pid=$(state_get daemon_pid 0)
  # 0 (never written) would make `kill -0` test the whole process group.
  { is_uint "$pid" && [ "$pid" -gt 0 ]; } || { echo "not live: the scheduler has not started"; exit 1; }
  kill -0 "$pid" 2>/dev/null || { echo "not live: scheduler (pid $pid) is not running"; exit 1; }
  [ -r "$IDENTITY_FILE" ] || { echo "not live: MCP_BACKUP_IDENTITY_FILE is not readable"; exit 1; }
  echo "live: scheduler pid $pid, last run $(state_get status 'none yet')"
}

cmd_check_config() {
  load_config
  require_tools
  recipient=$(recipient_of_identity) || die "MCP_BACKUP_IDENTITY_FILE does not hold a valid age identity (AGE-SECRET-KEY-1...)" 64
  echo "configuration ok: database $PGDATABASE at $PGHOST, every ${INTERVAL}s, keepLast=$KEEP_LAST, maxAgeDays=$MAX_AGE_DAYS, off-site=$OFFSITE, recipient $recipient"
}

# Runs forever (or MCP_BACKUP_MAX_RUNS runs, for tests): a backup whenever the last
# success is at least one interval old; after a failure, again after RETRY_SECONDS.
cmd_daemon() {
  load_config
  require_tools
  recipient_of_identity >/dev/null || die "MCP_BACKUP_IDENTITY_FILE does not hold a valid age identity (AGE-SECRET-KEY-1...)" 64
  # We are the only scheduler in this container: a lock left by a previous container is stale.
  rm -rf "$BACKUP_DIR/.lock"
  state_set daemon_pid "$$"
  write_metrics
  trap 'log info "stopping"; exit 0' INT TERM
  max_runs=${MCP_BACKUP_MAX_RUNS:-0}
  runs=0
  next_try=0
  log info "scheduler started: every ${INTERVAL}s, keepLast=$KEEP_LAST, maxAgeDays=$MAX_AGE_DAYS, off-site=$OFFSITE"
  while :; do
    now=$(date +%s)
    due=$(($(state_get last_success_epoch 0) + INTERVAL))
    [ "$next_try" -gt "$due" ] && due=$next_try
    if [ "$now" -ge "$due" ]; then
      "$MCP_BACKUP_SHELL" "$SELF" run
      rc=$?
      runs=$((runs + 1))
      if [ "$rc" -ne 0 ]; then
        retry=$RETRY_SECONDS
        [ "$retry" -gt "$INTERVAL" ] && retry=$INTERVAL
        next_try=$(($(date +%s) + retry))
        log warn "backup run failed (exit $rc): next attempt in ${retry}s"
      else
        next_try=0
      fi
      if [ "$max_runs" -gt 0 ] && [ "$runs" -ge "$max_runs" ]; then
        log info "stopping after $runs runs (MCP_BACKUP_MAX_RUNS)"
        exit 0
      fi
      continue
    fi
    wait_s=$((due - now))
    [ "$wait_s" -gt 60 ] && wait_s=60
    # Sleep in the background so TERM is handled at once (we may be PID 1).
    sleep "$wait_s" &
    wait $!
  done
}

case "${1:-}" in
  run) cmd_run ;;
  daemon) cmd_daemon ;;
  prune) cmd_prune ;;
  health) cmd_health ;;
  live) cmd_live ;;
  check-config) cmd_check_config ;;
  plan-retention)
    shift
    [ $# -eq 3 ] && is_uint "$1" && is_uint "$2" && is_uint "$3" || die "usage: mcp-backup.sh plan-retention NOW_EPOCH KEEP_LAST MAX_AGE_DAYS < lines" 64
    plan_retention "$1" "$2" "$3"
    ;;
  _dump-in-snapshot) dump_in_snapshot ;;
  *)
    echo "usage: mcp-backup.sh daemon|run|prune|health|live|check-config|plan-retention NOW KEEP_LAST MAX_AGE_DAYS" >&2
    exit 64
    ;;
esac
