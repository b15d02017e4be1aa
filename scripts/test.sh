#!/usr/bin/env bash
# Install what is missing, then run every check and test tier. Ends with one pass/fail line.
#   checks:  rustfmt, leptosfmt (view! macros), clippy -D warnings with the workspace lints
#            (native and wasm32), engine purity; the layer rules run in tier 1 (tests/layers.rs)
#   tier 1:  native tests            cargo test --workspace
#   warehouse SQL: sql/ run by DuckDB (in-process, npm @duckdb/node-api) against `refleqt paths`
#   tier 2:  browser tests           wasm-bindgen-test in headless Chromium
#   build:   release bundle          trunk build --release (+ sizes)
#   tier 3:  end-to-end tests        Playwright in Chromium against dist/ served under /refleqt/
set -uo pipefail
cd "$(dirname "$0")/.."
ENSURE_BROWSER=1
set -e
source scripts/ensure-tools.sh
set +e

passed=0
failed=0
failures=()
step() {
  local name="$1"
  shift
  say "$name"
  local t0=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    printf '\033[32mok\033[0m   %s (%ss)\n' "$name" $((SECONDS - t0))
  else
    failed=$((failed + 1))
    failures+=("$name")
    printf '\033[31mFAIL\033[0m %s (%ss)\n' "$name" $((SECONDS - t0))
  fi
}

engine_is_pure() {
  # The engine must know nothing about the browser: no web crate anywhere in its dependency tree.
  local bad
  bad=$(cargo tree -p refleqt-engine -e normal,build --prefix none --target all 2>/dev/null |
    grep -E '^(leptos|web-sys|js-sys|wasm-bindgen|gloo[a-z_-]*|idb|indexed_db_futures|wasm-bindgen-futures) ' || true)
  if [ -n "$bad" ]; then
    echo "crates/engine depends on web crates:"
    echo "$bad"
    return 1
  fi
  echo "crates/engine depends on no web crate"
}

bundle_sizes() {
  local f first=0
  for f in dist/*.wasm dist/*.js dist/*.css; do
    printf '  %-50s %8d bytes raw %8d bytes gzip\n' "$f" "$(wc -c <"$f")" "$(gzip -9c "$f" | wc -c)"
  done
  # The first load (issue 13): the page's own wasm, JS and CSS; the worker and sw.js come later.
  for f in dist/refleqt-app-*.wasm dist/refleqt-app-*.js dist/*.css; do
    first=$((first + $(gzip -9c "$f" | wc -c)))
  done
  printf '  first load (the page'"'"'s own wasm + JS + CSS): %d bytes gzip (goal: 307200)\n' "$first"
}

release_build() {
  trunk build --release && bundle_sizes
}

step "rustfmt" cargo fmt --all --check
step "leptosfmt (view! macros)" leptosfmt --check --quiet src tests
step "clippy (native)" cargo clippy --workspace --all-targets --locked -- -D warnings
# wasm32: the app with its browser tests, and the engine library (its native-only test deps,
# such as proptest, are not meant for wasm32).
step "clippy (wasm32)" cargo clippy --target wasm32-unknown-unknown -p refleqt --all-targets --locked -- -D warnings
step "clippy (wasm32 engine)" cargo clippy --target wasm32-unknown-unknown -p refleqt-engine --lib --locked -- -D warnings
step "engine purity" engine_is_pure
step "tier 1: native tests" cargo test --workspace --locked
step "warehouse SQL (DuckDB)" node tests/warehouse/check.mjs
# One test binary (tests/browser/): the lib and bin targets hold no browser tests, and building
# their wasm test harnesses only cost links.
step "tier 2: browser tests (wasm-bindgen-test, headless Chromium)" cargo test --target wasm32-unknown-unknown -p refleqt --test browser --locked
# The end-to-end tier's authorization and resource servers (connections.spec.mjs) run on these
# ports; the test build's connect-src lists them (scripts/csp.mjs reads REFLEQT_CONNECT_SRC).
export E2E_AS_PORT="${E2E_AS_PORT:-4175}" E2E_RS_PORT="${E2E_RS_PORT:-4176}"
export REFLEQT_CONNECT_SRC="${REFLEQT_CONNECT_SRC:-http://127.0.0.1:$E2E_AS_PORT http://127.0.0.1:$E2E_RS_PORT}"
step "release build (trunk)" release_build
if [ -f dist/index.html ]; then
  step "tier 3: end-to-end tests (Playwright, Chromium)" playwright test -c tests/e2e/playwright.config.mjs
else
  failed=$((failed + 1))
  failures+=("tier 3: skipped, no release build")
fi

echo
if [ "$failed" -gt 0 ]; then
  printf 'failed steps:\n'
  printf '  - %s\n' "${failures[@]}"
fi
echo "steps: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
