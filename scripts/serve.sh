#!/usr/bin/env bash
# Install what is missing, build the app and serve it at http://127.0.0.1:8080 (rebuilds on change).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-tools.sh
say "serving at http://127.0.0.1:8080 (Ctrl-C to stop)"
exec trunk serve --release
