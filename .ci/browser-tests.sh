#!/usr/bin/env bash
# Runs the browser tests (`wasm-pack test --headless --chrome`: tests/web.rs and the crate's other
# wasm tests) in headless Chromium against a test server, with Chromium's requests to the test runner
# going through .ci/runner-proxy.mjs (why: see there). Arguments go to `wasm-pack test`:
#   bash .ci/browser-tests.sh                                 # everything
#   bash .ci/browser-tests.sh -- --no-default-features        # the messaging-only build
#   bash .ci/browser-tests.sh -- --test web -- rpc_timeout    # one test of tests/web.rs
# Uses the test server of OPENIAP_TEST_URL / OPENIAP_CONTROL_URL when both are set, else starts one.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. .ci/env.sh
. .ci/testserver.sh

work=$(mktemp -d)
own_server=0
proxy_pid=""
cleanup() {
  [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null
  [ "$own_server" = 1 ] && stop_testserver
  rm -rf "$work"
}
trap cleanup EXIT
if [ -z "${OPENIAP_TEST_URL:-}" ] || [ -z "${OPENIAP_CONTROL_URL:-}" ]; then
  TESTSERVER_PID=""
  start_testserver
  own_server=1
fi

node .ci/runner-proxy.mjs webdriver.json "$work/webdriver.json" >"$work/proxy.log" 2>&1 &
proxy_pid=$!
for _ in $(seq 1 100); do
  grep -q '^ready' "$work/proxy.log" 2>/dev/null && break
  sleep 0.1
done
grep -q '^ready' "$work/proxy.log" || { echo "runner proxy did not start:"; cat "$work/proxy.log"; exit 1; }
[ -n "${RUNNER_PROXY_LOG:-}" ] && trap 'cat "$work/proxy.log"; cleanup' EXIT

export OPENIAP_TEST_URL OPENIAP_CONTROL_URL WASM_BINDGEN_TEST_WEBDRIVER_JSON="$work/webdriver.json"
WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-300} \
  wasm-pack test --headless --chrome --chromedriver /usr/bin/chromedriver "$@"
