#!/bin/sh
# wget of the stand-ins. Debian's busybox-static (before 1.36.1-5) is built without
# FEATURE_WGET_TIMEOUT, and its wget dies of SIGSEGV on -T (it writes the value through a
# NULL pointer). The stack's health checks run `wget -q -T 4 ...`, so the timeout is taken
# out here and enforced by busybox's timeout applet around the real wget; every other
# argument goes through unchanged. Without a timeout this is busybox wget itself.
n=$#
i=0
t=""
while [ "$i" -lt "$n" ]; do
  a=$1
  shift
  i=$((i + 1))
  case "$a" in
    -T | --timeout) t=${1:-}; shift; i=$((i + 1)) ;;
    -T*) t=${a#-T} ;;
    --timeout=*) t=${a#--timeout=} ;;
    *) set -- "$@" "$a" ;;
  esac
done
if [ -z "$t" ]; then
  exec /bin/busybox wget "$@"
fi
case "$t" in
  *[!0-9]* | 0) echo "wget: invalid timeout '$t'" >&2; exit 1 ;;
esac
exec /bin/busybox timeout "$t" /bin/busybox wget "$@"
