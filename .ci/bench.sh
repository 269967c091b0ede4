#!/usr/bin/env bash
# Benchmarks and soak of openiap-wasm (not part of `make test`): throughput, latency, reconnect,
# memory and size, in headless Chromium against the release test server on loopback.
# Writes tests/bench/results.json + results.md (BENCH_QUICK=1: target/bench/).
#
#   bash .ci/bench.sh                  # full run (~15 min: 1,000,000 messages, 1,000 reconnects)
#   BENCH_QUICK=1 bash .ci/bench.sh    # short run (~3 min)
#   SOAK_MINUTES=10 bash .ci/bench.sh  # ... plus a 10-minute soak under random faults
#   BENCH_PHASES=soak SOAK_MINUTES=10 bash .ci/bench.sh   # only the soak
#   BENCH_PROFILE=1                    # always add CPU profiles (otherwise only when a target is missed)
#   BENCH_REBUILD=1                    # rebuild pkg/ even if it exists
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
bash .ci/setup.sh >&2
. .ci/env.sh

echo "[bench] cargo build --release -p openiap-testserver" >&2
cargo build --quiet --release -p openiap-testserver
if [ "${BENCH_REBUILD:-0}" = 1 ] || [ ! -f pkg/web/openiap_wasm_bg.wasm ] || [ ! -d pkg/node ]; then
  if [ -f .ci/pkg.sh ]; then
    echo "[bench] bash .ci/pkg.sh (every build target, for the size table)" >&2
    bash .ci/pkg.sh >&2
  else
    wasm-pack --quiet build --release --no-pack --target web --out-dir pkg/web . >&2
  fi
fi
exec node tests/bench/run.mjs
