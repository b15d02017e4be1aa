#!/usr/bin/env bash
# Install what is missing, build the app and serve it at http://127.0.0.1:8080 (rebuilds on change;
# reload the page to see a rebuild). No auto-reload: Trunk would inject its reload script into the
# page as it serves it, after the post_build hook has hashed the inline scripts, so the
# Content-Security-Policy would block it (a console error on every page).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-tools.sh
say "serving at http://127.0.0.1:8080 (Ctrl-C to stop)"
exec trunk serve --release --no-autoreload
