# Sourced by scripts/serve.sh and scripts/test.sh: installs whatever is missing, skips the rest.
# Idempotent; a machine that already has everything spends a few seconds here.
#   - Rust target wasm32-unknown-unknown, clippy, rustfmt (rustup)
#   - trunk (pinned; installed with cargo because Trunk's own downloads need the internet)
#   - wasm-bindgen-cli at exactly the Cargo.lock version of wasm-bindgen
#   - leptosfmt (pinned; formats the view! macros, which rustfmt leaves alone)
#   - npm packages from package-lock.json: @playwright/test, binaryen (wasm-opt 132) and
#     @duckdb/node-api (DuckDB in-process, for the warehouse SQL check)
#   - with ENSURE_BROWSER=1: Debian's chromium and chromium-driver (for the browser test tiers)

TRUNK_VERSION="0.21.14"
LEPTOSFMT_VERSION="0.1.33"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$REPO_ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root to run: $*" >&2; return 1; fi
}

ensure_rust() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding Rust target wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
  for c in clippy rustfmt; do
    if ! rustup component list --installed | grep -q "^$c"; then
      say "adding rustup component $c"
      rustup component add "$c"
    fi
  done
}

ensure_cargo_tools() {
  local wb
  wb=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$REPO_ROOT/Cargo.lock")
  if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION\$"; then
    say "installing trunk $TRUNK_VERSION (a few minutes, once)"
    cargo install trunk --version "$TRUNK_VERSION" --locked
  fi
  if ! leptosfmt --version 2>/dev/null | grep -q " $LEPTOSFMT_VERSION\$"; then
    say "installing leptosfmt $LEPTOSFMT_VERSION (about a minute, once)"
    cargo install leptosfmt --version "$LEPTOSFMT_VERSION" --locked
  fi
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $wb\$" ||
    ! command -v wasm-bindgen-test-runner >/dev/null; then
    say "installing wasm-bindgen-cli $wb (about two minutes, once)"
    # Not --locked: its lockfile pins a webpki-roots version the registry lacks.
    cargo install wasm-bindgen-cli --version "$wb"
  fi
}

ensure_npm() {
  local stamp="$REPO_ROOT/node_modules/.package-lock.json"
  if [ ! -x "$REPO_ROOT/node_modules/.bin/wasm-opt" ] || [ ! -x "$REPO_ROOT/node_modules/.bin/playwright" ] ||
    [ ! -d "$REPO_ROOT/node_modules/@duckdb/node-api" ] || [ "$REPO_ROOT/package-lock.json" -nt "$stamp" ]; then
    say "installing npm packages (Playwright test runner, wasm-opt 132, DuckDB)"
    (cd "$REPO_ROOT" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  fi
}

ensure_browser() {
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    say "installing Debian's chromium and chromium-driver (about a minute, once)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
  fi
}

ensure_rust
ensure_cargo_tools
ensure_npm
if [ "${ENSURE_BROWSER:-0}" = 1 ]; then ensure_browser; fi
