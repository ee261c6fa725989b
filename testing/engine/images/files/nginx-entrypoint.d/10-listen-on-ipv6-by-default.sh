#!/bin/sh
# Adds an IPv6 listener to the image's own default server, when it can: the stack mounts its
# own nginx.conf and a read-only root, so in the stack this only says why it does nothing.
set -e
say() { [ -n "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ] || echo "$0: $*" >&2; }
conf=/etc/nginx/conf.d/default.conf

if [ ! -f /proc/net/if_inet6 ]; then say "info: ipv6 not available"; exit 0; fi
if [ ! -f "$conf" ]; then say "info: $conf is not a file or does not exist"; exit 0; fi
if ! touch "$conf" 2>/dev/null; then say "info: can not modify $conf (read-only file system?)"; exit 0; fi
if grep -q 'listen[[:space:]]*\[::\]' "$conf"; then say "info: $conf already listens on IPv6"; exit 0; fi
sed -i 's/^\([[:space:]]*\)listen[[:space:]]\{1,\}8080;/&\n\1listen [::]:8080;/' "$conf"
say "info: Enabled listen on IPv6 in $conf"
