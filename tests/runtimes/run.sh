#!/usr/bin/env bash
# Runtime tests of the npm package: builds it (.ci/pkg.sh), `npm pack`s it, installs the tarball
# here and in tests/types (npm install --no-save), starts one test server, then runs in each runtime
# connect -> signin -> register_queue -> receive -> rpc -> README transient + persistent -> data API
# -> disconnect:
#   node     Node (global WebSocket; Node 20 gets --experimental-websocket), import + require
#   deno     Deno from npm, `deno run --check` (exports "deno")
#   messaging  the messaging-only build (openiap-wasm/messaging) in Deno
#   deno-data  every data API test of the browser suite (tests/js/data_tests.js), in Deno
#   fuzz     hostile arguments to every Client method in Node and in Chromium (tests/js/fuzz.js:
#            typed errors only, no trap, the instance still works); the ws:// credentials warning
#   workerd  a Worker in workerd via Miniflare, bundled like wrangler (exports "workerd"): HTTP
#            request -> transient OpenIAP call; workerd forbids I/O/timers at import time
#   vite     Vite build of a page importing the package (exports "browser"), headless Chromium
#   worker   the same build's module Web Worker importing the package, headless Chromium
#   shared   `new Client({ shared: true })`: pages of one origin (plain <script type="module">, no
#            bundler) share one socket through the package's SharedWorker (shared/run.mjs); the
#            worker's tab crashes, a worker that never answers, register/unregister races
#            (shared/faults.mjs)
#   npm-port code written as an npm openiap user writes it (npm-port/port.js), in Deno and Chromium
#   bun      Bun from npm (skipped if its binary does not run here)
#   vite-dev, webpack-dev, webpack, esbuild, parcel (and `vite` again): the README's bundler example
#            (bundlers/app/app.js) built with each tool and no configuration, or served by its dev
#            server, in headless Chromium: load the wasm, connect, one rpc (bundlers/run.mjs); then
#            two pages of the same build with `shared: true`, which must share one socket, or (esbuild)
#            fall back to one each with a SharedFallback event (bundlers/shared.mjs)
#   vite-dev-hoisted  Vite's dev server in a monorepo with the package hoisted above the app: falls
#            back; shares with the README's `optimizeDeps: { exclude: ["openiap-wasm"] }`
#   esbuild-worker  the README's esbuild command with the package's worker as a second entry: shares
#   types    tsc --noEmit over tests/types/examples.ts (bundler and nodenext resolution), and
#            tests/types/parity.mjs: every official client method is declared and present
# and against implementations we did not write:
#   grpcweb  our gRPC-web framing against @improbable-eng/grpc-web (Node): the reference against
#            the test server, both clients side by side on the wire, the fixed bytes of
#            tests/grpc_web_reference.rs
#   official our package (Node) and the official openiap-client crate
#            (tests/testserver/examples/official_peer.rs) exchanging traffic through the test server
#   live     `make test-live` against a test server with recognisable credentials
#            (tests/live/selftest.sh): passes, fails when it should, never shows the credentials
# Prints one line per runtime and `N passed, N failed[, N skipped]`; exits 1 on any failure.
#
#   bash tests/runtimes/run.sh [name...]      # default: all
#   PKG_TGZ=/path/openiap-wasm-X.tgz ...      # test that tarball instead of building one
#   PKG_SKIP_BUILD=1 ...                      # reassemble from the previous wasm-pack outputs
# Logs: tests/runtimes/.work/<name>.log
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
HERE=$ROOT/tests/runtimes
WORK=$HERE/.work
. .ci/env.sh

ALL=(types node deno messaging deno-data workerd fuzz vite worker shared npm-port bun vite-dev vite-dev-hoisted webpack-dev webpack esbuild esbuild-worker parcel grpcweb official live)
SELECTED=("$@")
[ ${#SELECTED[@]} -gt 0 ] || SELECTED=("${ALL[@]}")
want() { local n; for n in "${SELECTED[@]}"; do [ "$n" = "$1" ] && return 0; done; return 1; }

rm -rf "$WORK" && mkdir -p "$WORK"
t0=$(date +%s.%N)
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%5.1fs", b - a }'; }

# --- package: build + npm pack, install from the tarball -----------------------------------------
if [ -n "${PKG_TGZ:-}" ]; then
  tgz=$(cd "$(dirname "$PKG_TGZ")" && pwd)/$(basename "$PKG_TGZ")
else
  tgz=$(bash .ci/pkg.sh --pack "$WORK" 2>"$WORK/pkg.log" | tail -n 1) || { cat "$WORK/pkg.log"; echo "0 passed, 1 failed"; exit 1; }
fi
for dir in "$HERE" "$ROOT/tests/types"; do
  (cd "$dir" && rm -rf node_modules \
    && npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error "$tgz" >>"$WORK/install.log" 2>&1) \
    || { cat "$WORK/install.log"; echo "0 passed, 1 failed"; exit 1; }
done
echo "package: $(basename "$tgz") ($(wc -c <"$tgz") bytes) built, packed and installed from the tarball in $(elapsed "$t0" | tr -d ' ')"

# --- test server --------------------------------------------------------------------------------
. .ci/testserver.sh
start_testserver >"$WORK/testserver.log" 2>&1 || { cat "$WORK/testserver.log"; echo "0 passed, 1 failed"; exit 1; }
trap stop_testserver EXIT
URL=${OPENIAP_TEST_URL/ws:\/\//ws://testuser:testpass@}

# Node: the global WebSocket is unflagged from Node 22; Node 20 needs --experimental-websocket.
NODE_WS=""
node -e 'process.exit(typeof WebSocket === "function" ? 0 : 1)' || NODE_WS=--experimental-websocket
# The official client's side of `official`, built before the clock of its run starts.
PEER=$ROOT/target/debug/examples/official_peer
if want official; then
  cargo build --quiet -p openiap-testserver --example official_peer >"$WORK/official-build.log" 2>&1 || rm -f "$PEER"
fi
export URL WORK ROOT NODE_WS OPENIAP_TEST_URL OPENIAP_CONTROL_URL PEER tgz


passed=0 failed=0 skipped=0
# A run's processes carry OPENIAP_RUNTIMES_RUN=<mark> in their environment. Once the run is over,
# any process still carrying it was left behind: it is named in the log, ended, and fails the run.
marked() { grep -lsz "^OPENIAP_RUNTIMES_RUN=$1\$" /proc/[0-9]*/environ | cut -d/ -f3 | tr '\n' ' '; }
no_leftovers() { # mark: gives them 3 s to end; the pids are read again just before the kill
  local pids _
  for _ in $(seq 30); do
    [ -z "$(marked "$1")" ] && return 0
    sleep 0.1
  done
  pids=$(marked "$1")
  [ -z "$pids" ] && return 0
  echo "left processes behind:"; ps -o pid=,args= $pids | cut -c1-160
  kill $pids 2>/dev/null
  return 1
}
run() { # name 'shell command' (run in tests/runtimes, 180 s at most)
  local name=$1 s ok=0 mark="$$-$1"
  want "$name" || return 0
  s=$(now)
  (cd "$HERE" && OPENIAP_RUNTIMES_RUN=$mark timeout 180 bash -c "$2") >"$WORK/$name.log" 2>&1 && ok=1
  no_leftovers "$mark" >>"$WORK/$name.log" 2>&1 || ok=0
  if [ "$ok" = 1 ]; then
    passed=$((passed + 1))
    printf 'PASS %-11s %s  %s\n' "$name" "$(elapsed "$s")" "$(sed 's/\x1b\[[0-9;]*m//g' "$WORK/$name.log" | grep -v '^\s*$' | tail -n 1)"
  else
    failed=$((failed + 1))
    printf 'FAIL %-11s %s  (log: %s)\n' "$name" "$(elapsed "$s")" "${WORK#"$ROOT"/}/$name.log"
    tail -n 15 "$WORK/$name.log" | sed 's/^/    | /'
  fi
}
skip() { want "$1" || return 0; skipped=$((skipped + 1)); printf 'SKIP %-11s         %s\n' "$1" "$2"; }

run types 'cd "$ROOT/tests/types" && tsc -p tsconfig.json && tsc -p tsconfig.node.json && node parity.mjs &&
  echo "tsc --noEmit: examples.ts ok with bundler and nodenext resolution ($(tsc --version))"'
run node 'node $NODE_WS node/test.mjs "$URL"'
run deno 'deno run --check --allow-read --allow-net=127.0.0.1 deno/test.ts "$URL"'
run messaging 'deno run --allow-read --allow-net=127.0.0.1 deno/messaging.js "$URL"'
run deno-data 'deno run --allow-read --allow-net=127.0.0.1 deno/data.js "$OPENIAP_TEST_URL" "$OPENIAP_CONTROL_URL"'
run workerd 'node $NODE_WS workerd/run.mjs "$URL"'
run fuzz 'node $NODE_WS fuzz/run.mjs "$OPENIAP_TEST_URL" && node fuzz/browser.mjs "$WORK" "$OPENIAP_TEST_URL"'
run vite 'node browser/run.mjs build "$WORK/browser-dist" && node browser/run.mjs page "$WORK/browser-dist" "$URL" &&
  node bundlers/run.mjs vite inline "$WORK/vite" "$URL" shares'
run worker '[ -f "$WORK/browser-dist/index.html" ] || node browser/run.mjs build "$WORK/browser-dist" >/dev/null
  node browser/run.mjs worker "$WORK/browser-dist" "$URL"'
run shared 'node shared/run.mjs "$URL" "$OPENIAP_CONTROL_URL" && node shared/faults.mjs "$URL" "$OPENIAP_CONTROL_URL"'
# Code written the way an npm openiap user writes it (only the import line differs), in Deno and Chromium.
run npm-port 'deno run --allow-read --allow-net=127.0.0.1 npm-port/deno.js "$URL" &&
  { [ -f "$WORK/browser-dist/index.html" ] || node browser/run.mjs build "$WORK/browser-dist" >/dev/null; } &&
  node browser/run.mjs port "$WORK/browser-dist" "$URL"'
if bun --version >/dev/null 2>&1; then
  run bun 'bun bun/test.mjs "$URL"'
else
  skip bun "the bun binary from npm does not run here: $(bun --version 2>&1 | head -n 1)"
fi
run grpcweb 'node $NODE_WS grpcweb/test.mjs "$URL"'
run official '[ -x "$PEER" ] || { cat "$WORK/official-build.log"; exit 1; }
  node $NODE_WS official/test.mjs "$URL" "$OPENIAP_CONTROL_URL" "$PEER"'
run live 'PKG_TGZ="$tgz" bash "$ROOT/tests/live/selftest.sh"'

run vite-dev 'node bundlers/run.mjs vite-dev inline "$WORK/vite-dev" "$URL" shares'
# A monorepo with the package hoisted above the app: falls back, and shares with the README's line.
run vite-dev-hoisted 'node bundlers/run.mjs vite-dev-hoisted inline "$WORK/vite-dev-hoisted" "$URL" falls-back &&
  node bundlers/run.mjs vite-dev-exclude inline "$WORK/vite-dev-exclude" "$URL" shares'
run webpack-dev 'node bundlers/run.mjs webpack-dev file "$WORK/webpack-dev" "$URL" shares'
run webpack 'node bundlers/run.mjs webpack file "$WORK/webpack" "$URL" shares'
run esbuild 'node bundlers/run.mjs esbuild inline "$WORK/esbuild" "$URL" falls-back'
# The README's esbuild command for shared clients: the package's worker as a second entry.
run esbuild-worker 'node bundlers/run.mjs esbuild-worker inline "$WORK/esbuild-worker" "$URL" shares'
run parcel 'node bundlers/run.mjs parcel inline "$WORK/parcel" "$URL" shares'

echo "runtime tests took $(elapsed "$t0" | tr -d ' ')"
summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
[ "$failed" -eq 0 ]
