#!/bin/sh
# Bridge of the nginx stand-in for the test engine's endpoint mode: there, every service is
# dnsrr (no ip_vs, testing/engine/differences.ts), so an upstream name such as `app` resolves
# to the task addresses, which change with every update or rollback; in prod it resolves to
# the service's virtual IP, which never changes. Nginx resolves upstream names only at start
# and on reload, so this watcher re-resolves the `server host:port` names of the given
# configuration every 5 s and sends the master SIGHUP (a graceful reload) when the addresses
# change. It ends with the master.
conf=$1
master=$2
hosts=$(sed -n 's/^[[:space:]]*server[[:space:]][[:space:]]*\([A-Za-z][A-Za-z0-9_.-]*\):[0-9][0-9]*.*/\1/p' "$conf" | sort -u)
[ -n "$hosts" ] || exit 0

resolve() {
  for h in $hosts; do
    echo "$h"
    nslookup "$h" 2>/dev/null | sed -n '/^Name:/,$ s/^Address:[[:space:]]*//p' | sort
  done
}

last=$(resolve)
while kill -0 "$master" 2>/dev/null; do
  sleep 5
  now=$(resolve)
  # A name with no address at all (every task of it replaced at once) is not reloaded onto:
  # the reload would fail with "host not found in upstream" and keep the old workers anyway.
  if [ "$now" != "$last" ] && [ "$(echo "$now" | grep -c '^[0-9]')" -gt 0 ]; then
    echo "nginx stand-in: upstream addresses changed, reloading" >&2
    kill -HUP "$master" 2>/dev/null
    last=$now
  fi
done
