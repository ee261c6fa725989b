#!/bin/sh
# Entrypoint of the postgres stand-in. Written for this project (POSIX sh, busybox ash); it
# honours the parts of the postgres:16-alpine entrypoint contract the stack relies on:
#
# - POSTGRES_PASSWORD, POSTGRES_USER, POSTGRES_DB and POSTGRES_INITDB_ARGS may come from
#   files named by the same variable with _FILE appended; an unreadable file stops the start;
# - on an empty PGDATA: initdb (superuser POSTGRES_USER, its password, POSTGRES_INITDB_ARGS),
#   a `host all all all <method>` line in the data directory's pg_hba.conf, then a temporary
#   server started with the final command's own arguments (so `-c config_file=... -c
#   hba_file=...` and the TLS settings in them apply) but no TCP listener, POSTGRES_DB
#   created, /docker-entrypoint-initdb.d/* processed (*.sh run when executable, sourced
#   otherwise; *.sql, *.sql.gz and *.sql.xz fed to psql), and the server stopped again;
# - as root it prepares the directories for the postgres user and re-runs itself as that user;
# - finally it execs the command.
#
# The temporary server and psql reach each other over the unix socket with PGPASSWORD set to
# the superuser password, which only this process and its children see.
set -e

log() {
  printf '%s\n' "$*" >&2
}

# file_env NAME [DEFAULT]: NAME from $NAME, or from the file named by $NAME_FILE (not both).
file_env() {
  _fe_var=$1
  _fe_default=${2:-}
  eval "_fe_val=\${$_fe_var:-}"
  eval "_fe_file=\${${_fe_var}_FILE:-}"
  if [ -n "$_fe_val" ] && [ -n "$_fe_file" ]; then
    log "error: both $_fe_var and ${_fe_var}_FILE are set (but are exclusive)"
    exit 1
  fi
  if [ -n "$_fe_file" ]; then
    if [ ! -r "$_fe_file" ]; then
      log "error: ${_fe_var}_FILE names $_fe_file, which uid $(id -u) cannot read"
      exit 1
    fi
    if ! _fe_val=$(cat "$_fe_file"); then
      log "error: could not read ${_fe_var}_FILE ($_fe_file)"
      exit 1
    fi
  fi
  [ -n "$_fe_val" ] || _fe_val=$_fe_default
  export "$_fe_var=$_fe_val"
  unset "${_fe_var}_FILE"
}

wants_help() {
  for _wh in "$@"; do
    case "$_wh" in
      '-?' | --help | --describe-config | -V | --version) return 0 ;;
    esac
  done
  return 1
}

psql_admin() {
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc "$@"
}

create_directories() {
  mkdir -p "$PGDATA"
  # A fresh volume may belong to someone else: initdb checks the mode itself.
  chmod 00700 "$PGDATA" 2>/dev/null || :
  mkdir -p /var/run/postgresql 2>/dev/null || :
  chmod 03775 /var/run/postgresql 2>/dev/null || :
  if [ -n "${POSTGRES_INITDB_WALDIR:-}" ]; then
    mkdir -p "$POSTGRES_INITDB_WALDIR"
    chmod 700 "$POSTGRES_INITDB_WALDIR" 2>/dev/null || :
  fi
  if [ "$(id -u)" = 0 ]; then
    find "$PGDATA" \! -user postgres -exec chown postgres '{}' +
    find /var/run/postgresql \! -user postgres -exec chown postgres '{}' +
    if [ -n "${POSTGRES_INITDB_WALDIR:-}" ]; then find "$POSTGRES_INITDB_WALDIR" \! -user postgres -exec chown postgres '{}' +; fi
  fi
}

run_initdb() {
  # POSTGRES_INITDB_ARGS is a shell word list (quotes inside it are honoured), hence eval.
  _ri_wal=""
  [ -z "${POSTGRES_INITDB_WALDIR:-}" ] || _ri_wal='--waldir="$POSTGRES_INITDB_WALDIR"'
  # The password reaches initdb through a pipe: never a file, never an argument.
  printf '%s\n' "$POSTGRES_PASSWORD" | eval 'initdb --username="$POSTGRES_USER" --pwfile=/dev/stdin '"$_ri_wal $POSTGRES_INITDB_ARGS"
}

start_temp_server() {
  # The final command's arguments, minus TCP: only this script can connect meanwhile.
  "$@" -c listen_addresses= -p "${PGPORT:-5432}" &
  _ts_pid=$!
  _ts_wait=${PGCTLTIMEOUT:-60}
  _ts_i=0
  # Ready when postmaster.pid says so (line 8), which is what pg_ctl -w waits for too.
  while :; do
    if ! kill -0 "$_ts_pid" 2>/dev/null; then
      _ts_rc=0
      wait "$_ts_pid" || _ts_rc=$?
      log "error: the temporary PostgreSQL server exited (status $_ts_rc) before accepting connections; see its log above"
      exit 1
    fi
    if [ -r "$PGDATA/postmaster.pid" ] && [ "$(sed -n 8p "$PGDATA/postmaster.pid" | tr -d ' ')" = ready ]; then
      break
    fi
    _ts_i=$((_ts_i + 1))
    if [ "$_ts_i" -gt $((_ts_wait * 5)) ]; then
      log "error: the temporary PostgreSQL server did not become ready within ${_ts_wait} s"
      kill "$_ts_pid" 2>/dev/null || :
      exit 1
    fi
    sleep 0.2
  done
}

stop_temp_server() {
  pg_ctl -D "$PGDATA" -m fast -w -t "${PGCTLTIMEOUT:-60}" stop
  wait "$_ts_pid" 2>/dev/null || :
}

process_init_files() {
  for _pi_f in /docker-entrypoint-initdb.d/*; do
    [ -e "$_pi_f" ] || continue
    case "$_pi_f" in
      *.sh)
        if [ -x "$_pi_f" ]; then
          log "$0: running $_pi_f"
          "$_pi_f"
        else
          log "$0: sourcing $_pi_f"
          . "$_pi_f"
        fi
        ;;
      *.sql) log "$0: running $_pi_f"; psql_admin --dbname "$POSTGRES_DB" -f "$_pi_f" ;;
      *.sql.gz) log "$0: running $_pi_f"; gunzip -c "$_pi_f" | psql_admin --dbname "$POSTGRES_DB" ;;
      *.sql.xz) log "$0: running $_pi_f"; xzcat "$_pi_f" | psql_admin --dbname "$POSTGRES_DB" ;;
      *) log "$0: ignoring $_pi_f" ;;
    esac
  done
}

case "${1:-}" in
  -*) set -- postgres "$@" ;;
esac

if [ "${1:-}" = postgres ] && ! wants_help "$@"; then
  file_env POSTGRES_PASSWORD
  file_env POSTGRES_USER postgres
  file_env POSTGRES_DB "$POSTGRES_USER"
  file_env POSTGRES_INITDB_ARGS
  : "${PGDATA:=/var/lib/postgresql/data}"
  export PGDATA
  : "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"

  create_directories
  if [ "$(id -u)" = 0 ]; then
    exec su -p -s /bin/sh postgres -c 'exec "$0" "$@"' "$0" "$@"
  fi

  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
      log "error: the database is uninitialized and the superuser password is not specified."
      log "       Set POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE) to a non-empty value, or POSTGRES_HOST_AUTH_METHOD=trust to allow every connection without one."
      exit 1
    fi
    # A permission problem with the init directory should show before initdb runs.
    ls /docker-entrypoint-initdb.d/ >/dev/null

    run_initdb
    printf '\nhost all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" >>"$PGDATA/pg_hba.conf"

    export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
    start_temp_server "$@"
    if [ "$POSTGRES_DB" != postgres ]; then
      psql_admin --dbname postgres --set db="$POSTGRES_DB" <<'SQL'
SELECT format('CREATE DATABASE %I', :'db') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
SQL
    fi
    process_init_files
    stop_temp_server
    unset PGPASSWORD
    log "PostgreSQL init process complete; ready for start up."
  else
    log "PostgreSQL database directory appears to contain a database; skipping initialization"
  fi
  # The server never needs it, and the environment of a process is readable by its uid.
  unset POSTGRES_PASSWORD
fi

exec "$@"
