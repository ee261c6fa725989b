#!/bin/sh
# Renders /etc/nginx/templates/*.template into /etc/nginx/conf.d with the environment; the
# stack uses no templates, so without that directory this returns at once.
set -e
say() { [ -n "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ] || echo "$0: $*" >&2; }
dir=${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}
[ -d "$dir" ] || exit 0
say "error: templates in $dir need envsubst, which this stand-in does not ship"
exit 1
