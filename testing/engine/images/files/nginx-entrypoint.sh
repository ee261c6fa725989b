#!/bin/sh
# Entrypoint of the nginx stand-in, with the contract of nginx-unprivileged's
# /docker-entrypoint.sh: for `nginx` (or nginx-debug) it runs /docker-entrypoint.d/*.sh
# (executable ones; *.envsh are sourced), then execs the command.
#
# Bridge (the stand-in's Nginx is Debian's 1.22): the `http2 on;` directive exists only
# from 1.25.1, and the program renders it for the 1.27 image. When the configuration given
# with -c (default /etc/nginx/nginx.conf) uses it, a copy goes to /tmp with the equivalent
# 1.22 form (the `http2` flag on that server's ssl listen lines) and nginx gets that copy.
#
# Bridge (the test engine's services are dnsrr): /usr/local/lib/nginx-upstream-watch.sh runs
# beside nginx and reloads it when an upstream name's addresses change (see that file).
set -e

say() {
  if [ -z "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ]; then
    echo "$@" >&2
  fi
}

if [ "$1" = nginx ] || [ "$1" = nginx-debug ]; then
  scripts=$(find /docker-entrypoint.d/ -mindepth 1 -maxdepth 1 -type f 2>/dev/null | sort)
  if [ -n "$scripts" ]; then
    say "$0: /docker-entrypoint.d/ is not empty, will attempt to perform configuration"
    for f in $scripts; do
      case "$f" in
        *.envsh)
          if [ -x "$f" ]; then say "$0: Sourcing $f"; . "$f"; else say "$0: Ignoring $f, not executable"; fi ;;
        *.sh)
          if [ -x "$f" ]; then say "$0: Launching $f"; "$f"; else say "$0: Ignoring $f, not executable"; fi ;;
        *) say "$0: Ignoring $f" ;;
      esac
    done
    say "$0: Configuration complete; ready for start up"
  else
    say "$0: No files found in /docker-entrypoint.d/, skipping configuration"
  fi

  # Find the configuration file nginx will read.
  conf=/etc/nginx/nginx.conf
  prev=""
  for a in "$@"; do
    if [ "$prev" = "-c" ]; then conf=$a; fi
    prev=$a
  done
  if [ -r "$conf" ] && grep -Eq '^[[:space:]]*http2[[:space:]]+on[[:space:]]*;' "$conf"; then
    bridged=/tmp/nginx-1.22-$(basename "$conf")
    awk -v dir="$(dirname "$conf")" -f /usr/local/lib/nginx-http2-bridge.awk "$conf" "$conf" > "$bridged"
    say "$0: $conf uses 'http2 on;' (nginx >= 1.25.1); this nginx is $(nginx -v 2>&1 | sed 's/.*nginx\///'), so it reads $bridged (http2 on the listen lines instead)"
    has_c=0
    for a in "$@"; do
      if [ "$a" = "-c" ]; then has_c=1; fi
    done
    n=0
    after_c=0
    for a in "$@"; do
      if [ "$n" = 0 ]; then
        set -- "$a"
        if [ "$has_c" = 0 ]; then set -- "$@" -c "$bridged"; fi
      elif [ "$after_c" = 1 ]; then
        set -- "$@" "$bridged"
      else
        set -- "$@" "$a"
      fi
      after_c=0
      if [ "$a" = "-c" ]; then after_c=1; fi
      n=$((n + 1))
    done
    conf=$bridged
  fi
  # Only beside a server (not `nginx -t`, `-s reload`, `-v`); this shell's pid becomes the
  # nginx master's with the exec below.
  serve=1
  for a in "$@"; do
    case "$a" in -t | -T | -s | -v | -V | -h | "-?") serve=0 ;; esac
  done
  if [ "$serve" = 1 ] && [ -r "$conf" ]; then /usr/local/lib/nginx-upstream-watch.sh "$conf" $$ & fi
fi

exec "$@"
