#!/usr/bin/env bash
# End-to-end suites inside a REAL n8n (test/e2e/*.e2e.ts), against every supported n8n version
# (1.x on the machine's Node 20, 2.x on Node 24; installed once into $HOME/.cache/n8n-nodes-marketo-bulk).
#
#   scripts/test-e2e.sh                 all suites, all versions
#   scripts/test-e2e.sh smoke           only test/e2e/smoke.e2e.ts
#   N8N_E2E_VERSIONS=2 scripts/test-e2e.sh
#   E2E_TARBALL=pkg.tgz scripts/test-e2e.sh   test an existing tarball (no build)
#   E2E_KEEP=1 …                        keep the n8n user folders (logs, database) for inspection
#
# Prints each suite's PASS/FAIL lines and ends with "N passed, N failed"; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

TS_NODE=(node node_modules/ts-node/dist/bin.js --transpile-only)
passed=0
failed=0

packed_dir=""
finish() {
  [ -n "$packed_dir" ] && rm -rf "$packed_dir"
  echo
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
  exit $?
}

suites=()
if [ $# -gt 0 ]; then
  for name in "$@"; do
    name="${name%.e2e.ts}"; name="${name##*/}"
    suites+=("test/e2e/$name.e2e.ts")
  done
else
  for file in test/e2e/*.e2e.ts; do suites+=("$file"); done
fi

# the n8n installs (minutes the first time, then cached), under the npm setting that once made them compile
# nothing: inside `npm run` in this repository npm exports the .npmrc's ignore-scripts=true to every child.
# The installs must work whatever npm's settings are; the smoke suite checks each n8n opens its database.
export npm_config_ignore_scripts=true
case "${N8N_E2E_VERSIONS:-}" in
  1|1.*) which=1 ;;
  2|2.*) which=2 ;;
  *) which=all ;;
esac
started=$SECONDS
if bash scripts/install-n8n.sh "$which"; then # progress on stderr: minutes the first time
  echo "PASS e2e › install n8n ($which) ($((SECONDS - started)) s)"; passed=$((passed + 1))
else
  echo "FAIL e2e › install n8n ($which) ($((SECONDS - started)) s): scripts/install-n8n.sh failed"
  failed=$((failed + 1)); finish
fi

# one build + pack for all suites
if [ -z "${E2E_TARBALL:-}" ]; then
  started=$SECONDS
  err="$(mktemp)"
  if E2E_TARBALL="$("${TS_NODE[@]}" scripts/e2e-pack.ts 2>"$err")"; then
    echo "PASS e2e › build + pack ($((SECONDS - started)) s): $E2E_TARBALL"; passed=$((passed + 1))
    export E2E_TARBALL
    packed_dir="$(dirname "$E2E_TARBALL")"
    rm -f "$err"
  else
    echo "FAIL e2e › build + pack ($((SECONDS - started)) s):"; tail -30 "$err" | sed 's/^/    /'
    failed=$((failed + 1)); rm -f "$err"; finish
  fi
fi

for suite in "${suites[@]}"; do
  if [ ! -f "$suite" ]; then
    echo "FAIL e2e › $suite: no such suite"; failed=$((failed + 1)); continue
  fi
  echo
  echo "== $suite"
  out="$(mktemp)"
  "${TS_NODE[@]}" "$suite" 2>&1 | tee "$out"
  code=${PIPESTATUS[0]}
  p=$(grep -c '^PASS ' "$out"); f=$(grep -c '^FAIL ' "$out")
  if [ "$code" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "FAIL $suite: exited $code"; f=1
  fi
  passed=$((passed + p)); failed=$((failed + f))
  rm -f "$out"
done

finish
