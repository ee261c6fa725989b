#!/bin/sh
# Caps worker_processes by the cgroup CPU quota, only when asked to
# (NGINX_ENTRYPOINT_WORKER_PROCESSES_AUTOTUNE set); the stack does not ask.
set -e
[ -n "${NGINX_ENTRYPOINT_WORKER_PROCESSES_AUTOTUNE:-}" ] || exit 0
say() { [ -n "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ] || echo "$0: $*" >&2; }
conf=/etc/nginx/nginx.conf
if ! touch "$conf" 2>/dev/null; then say "info: can not modify $conf (read-only file system?)"; exit 0; fi
quota=$(cut -d' ' -f1 /sys/fs/cgroup/cpu.max 2>/dev/null || echo max)
period=$(cut -d' ' -f2 /sys/fs/cgroup/cpu.max 2>/dev/null || echo 100000)
if [ "$quota" = max ]; then n=$(nproc); else n=$(( (quota + period - 1) / period )); fi
sed -i "s/^\(worker_processes\)[[:space:]].*;/\1 $n;/" "$conf"
say "info: worker_processes set to $n"
