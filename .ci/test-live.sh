#!/usr/bin/env bash
# `make test-live URL=wss://user:password@host`: the package's checks against a real OpenFlow server
# (tests/live/checks.js: sign in, a temporary queue, queue_message and rpc to itself, a watch on a
# scratch collection it creates and drops again), in Node and headless Chromium; prints a table.
# Nothing it does is destructive. The URL is read from the environment (URL, or OPENIAP_LIVE_URL),
# never from the command line, and only its scheme, host and path are printed.
#   make test-live URL=wss://user:pass@app.openiap.io
#   PKG_TGZ=/path/openiap-wasm-X.tgz ...   check that tarball instead of building the package
#   LIVE_NO_SETUP=1 ...                    skip .ci/setup.sh (when it already ran)
# Exits 0 when every check passed, 1 when one failed, 2 without a usable URL.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export OPENIAP_LIVE_URL=${OPENIAP_LIVE_URL:-${URL:-}}
unset URL
if [ -z "$OPENIAP_LIVE_URL" ]; then
  echo "usage: make test-live URL=wss://user:password@host   (or ws://, http(s)://)" >&2
  exit 2
fi
WORK=$ROOT/tests/live/.work
mkdir -p "$WORK"
if [ -z "${LIVE_NO_SETUP:-}" ]; then
  bash .ci/setup.sh >"$WORK/setup.log" 2>&1 || { cat "$WORK/setup.log"; exit 1; }
fi
. .ci/env.sh

if [ -n "${PKG_TGZ:-}" ]; then
  tgz=$(cd "$(dirname "$PKG_TGZ")" && pwd)/$(basename "$PKG_TGZ")
else
  echo "test-live: building the npm package (.ci/pkg.sh, a few minutes)"
  tgz=$(bash .ci/pkg.sh --pack "$WORK" 2>"$WORK/pkg.log" | tail -n 1) || { cat "$WORK/pkg.log"; exit 1; }
fi
(cd tests/live && rm -rf node_modules \
  && npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error "$tgz") >"$WORK/install.log" 2>&1 \
  || { cat "$WORK/install.log"; exit 1; }

# Node 22+ has a global WebSocket; Node 20 needs the flag (--no-warnings hides its notice).
NODE_WS=""
node -e 'process.exit(typeof WebSocket === "function" ? 0 : 1)' || NODE_WS=--experimental-websocket
exec node --no-warnings $NODE_WS tests/live/run.mjs
