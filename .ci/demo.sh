#!/usr/bin/env bash
# `make demo`: builds the web package, starts the bundled OpenIAP test server and a static server
# for www/ (127.0.0.1), prints the URL to open and runs until Ctrl-C.
#   make demo                                # against the bundled test server (fault buttons work)
#   make demo URL=wss://app.openiap.io       # against a real server (no test server started)
#   DEMO_PORT=9000 make demo                 # page port (default 8080, a free one if taken)
# Also: bash .ci/demo.sh [URL]. DEMO_NO_BUILD=1 skips setup and the package build.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SERVER_URL=${1:-${DEMO_URL:-${URL:-}}}

if [ -z "${DEMO_NO_BUILD:-}" ]; then
  bash .ci/setup.sh
fi
. .ci/env.sh
if [ -z "${DEMO_NO_BUILD:-}" ]; then
  echo "demo: building the web package (pkg/web)"
  if [ -f .ci/pkg.sh ]; then
    bash .ci/pkg.sh
  else
    wasm-pack build --release --target web --out-dir pkg/web
  fi
fi
[ -f pkg/web/openiap_wasm.js ] || { echo "demo: pkg/web/openiap_wasm.js is missing (package build failed?)" >&2; exit 1; }

SERVE_PID=
cleanup() {
  trap - EXIT INT TERM
  [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null || true
  if declare -F stop_testserver >/dev/null; then stop_testserver; fi
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -n "$SERVER_URL" ]; then
  echo "demo: using $(printf '%s' "$SERVER_URL" | sed -E 's#//[^/@]*@#//#') (no test server, no fault buttons)"
  # The page asks for a real server's password: it is never served in /config.json.
  export DEMO_WS_URL=$SERVER_URL DEMO_CONTROL_URL= DEMO_USER=${DEMO_USER:-} DEMO_PASSWORD=
else
  echo "demo: building and starting the test server"
  . .ci/testserver.sh
  # No web page may use the control port: the demo page reaches it through its own server's /control/.
  TESTSERVER_ORIGINS= start_testserver
  export DEMO_WS_URL=$OPENIAP_TEST_URL DEMO_CONTROL_URL=$OPENIAP_CONTROL_URL DEMO_USER=testuser DEMO_PASSWORD=testpass
fi

out=$(mktemp)
node .ci/demo-serve.mjs >"$out" &
SERVE_PID=$!
for _ in $(seq 1 100); do
  grep -q '^DEMO ' "$out" && break
  kill -0 "$SERVE_PID" 2>/dev/null || { echo "demo: the static server did not start" >&2; exit 1; }
  sleep 0.1
done
page=$(sed -n 's/^DEMO //p' "$out" | head -n 1)
rm -f "$out"
[ -n "$page" ] || { echo "demo: the static server did not start" >&2; exit 1; }

if [ -n "$SERVER_URL" ]; then
  hint="Open it, press Connect, register a queue and send to it. Ctrl-C stops the page server."
else
  hint="Open it, press Connect, register a queue, send to it, then press Drop, Stall or Restart
  and watch the client reconnect. Ctrl-C stops everything."
fi
printf '\n  openiap-wasm demo:  %s\n\n  %s\n\n' "$page" "$hint"
wait "$SERVE_PID"
