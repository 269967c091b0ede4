#!/usr/bin/env bash
# End-to-end test of the demo page (www/) in headless Chromium: builds the web package and the
# test server, then runs tests/demo/e2e.mjs, which starts its own stack on free ports.
# Screenshot: tests/artifacts/demo.png. Last line: "N passed, N failed".
# DEMO_NO_BUILD=1 skips setup and both builds (when the caller has just built them).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${DEMO_NO_BUILD:-}" ]; then
  bash .ci/setup.sh
  . .ci/env.sh
  if [ -f .ci/pkg.sh ]; then
    bash .ci/pkg.sh
  else
    wasm-pack build --release --target web --out-dir pkg/web
  fi
  cargo build --quiet -p openiap-testserver
else
  . .ci/env.sh
fi
node tests/demo/e2e.mjs
