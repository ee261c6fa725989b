#!/bin/sh
# Entrypoint of the redis stand-in (the contract of redis:7.4-alpine's docker-entrypoint.sh):
# options or a *.conf as the first argument mean redis-server; as root it hands /data to the
# redis user and re-runs itself as that user; then a private umask unless one was chosen.
set -e

case "$1" in
  -*|*.conf) set -- redis-server "$@" ;;
esac

if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
  find . \! -user redis -exec chown redis '{}' +
  exec su -p -s /bin/sh redis -c 'exec "$0" "$@"' "$0" "$@"
fi

# The data files hold the cache's contents: nobody else on the host should read them.
if [ "$(umask)" = 0022 ]; then
  umask 0077
fi

exec "$@"
