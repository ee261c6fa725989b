#!/bin/sh
# /run.sh of the Grafana stand-in, with the behaviour of grafana-oss's packaging/docker/run.sh
# the stack depends on: warnings (only) about unreadable or unwritable paths, the plugins
# directory created when missing, every GF_<NAME>__FILE turned into GF_<NAME> with the
# file's content, HOME set to the Grafana home, then `grafana server` with the paths given
# as cfg: overrides. As upstream, an unreadable __FILE leaves the variable empty and the
# start goes on: `export` succeeds whatever `cat` did.
set -e

warned=0
if [ ! -r "$GF_PATHS_CONFIG" ]; then echo "GF_PATHS_CONFIG='$GF_PATHS_CONFIG' is not readable."; warned=1; fi
if [ ! -w "$GF_PATHS_DATA" ]; then echo "GF_PATHS_DATA='$GF_PATHS_DATA' is not writable."; warned=1; fi
if [ ! -r "$GF_PATHS_HOME" ]; then echo "GF_PATHS_HOME='$GF_PATHS_HOME' is not readable."; warned=1; fi
if [ "$warned" = 1 ]; then
  echo "You may have issues with file permissions, more information here: http://docs.grafana.org/installation/docker/#migrate-to-v51-or-later"
fi

if [ ! -d "$GF_PATHS_PLUGINS" ]; then
  mkdir "$GF_PATHS_PLUGINS"
fi

for name in $(env | sed -n 's/^\(GF_[A-Za-z0-9_]*\)__FILE=..*$/\1/p'); do
  eval "current=\${$name:-}"
  if [ -n "$current" ]; then
    echo >&2 "ERROR: Both $name and ${name}__FILE are set (but are exclusive)"
    exit 1
  fi
  eval "file=\${${name}__FILE}"
  echo "Getting secret $name from $file"
  export "$name=$(cat "$file")"
  unset "${name}__FILE"
done

export HOME="$GF_PATHS_HOME"

exec grafana server \
  --homepath="$GF_PATHS_HOME" \
  --config="$GF_PATHS_CONFIG" \
  --packaging=docker \
  "$@" \
  cfg:default.log.mode="console" \
  cfg:default.paths.data="$GF_PATHS_DATA" \
  cfg:default.paths.logs="$GF_PATHS_LOGS" \
  cfg:default.paths.plugins="$GF_PATHS_PLUGINS" \
  cfg:default.paths.provisioning="$GF_PATHS_PROVISIONING"
