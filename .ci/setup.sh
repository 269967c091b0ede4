#!/usr/bin/env bash
# Idempotent fresh-machine setup for openiap-wasm (Debian 12, only package registries reachable).
# Installs what is missing and nothing else:
#   - rust target wasm32-unknown-unknown, rustfmt and clippy (rustup)
#   - wasm-pack, and wasm-bindgen-cli at exactly the wasm-bindgen version in Cargo.lock (cargo install)
#   - chromium + chromium-driver (apt)
#   - npm packages from .ci/npm/package-lock.json (binaryen's wasm-opt, deno, miniflare/workerd, ...)
# Debian's binaryen is never used: its wasm-opt 108 corrupts wasm-bindgen output.
# Afterwards: `. .ci/env.sh` puts the tools on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WASM_PACK_VERSION=0.15.1
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
t0=$(date +%s)
log() { printf '[setup +%ss] %s\n' "$(( $(date +%s) - t0 ))" "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

WASM_BINDGEN_VERSION=$(awk '$0=="name = \"wasm-bindgen\"" {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
[ -n "$WASM_BINDGEN_VERSION" ] || { echo "setup: no wasm-bindgen in Cargo.lock" >&2; exit 1; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
for c in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$c"; then
    log "rustup component add $c"
    rustup component add "$c"
  fi
done

missing=()
for p in chromium chromium-driver; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

tool_version() { [ -x "$CARGO_BIN/$1" ] && "$CARGO_BIN/$1" --version 2>/dev/null | awk '{print $2}'; }
if [ "$(tool_version wasm-pack || true)" != "$WASM_PACK_VERSION" ]; then
  log "cargo install wasm-pack $WASM_PACK_VERSION (~100 s)"
  env -u CARGO_TARGET_DIR cargo install --quiet --locked wasm-pack --version "$WASM_PACK_VERSION"
fi
if [ "$(tool_version wasm-bindgen || true)" != "$WASM_BINDGEN_VERSION" ] \
   || [ "$(tool_version wasm-bindgen-test-runner || true)" != "$WASM_BINDGEN_VERSION" ]; then
  log "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (~110 s)"
  # No --locked: its lockfile pins a webpki-roots release the registry here does not serve.
  env -u CARGO_TARGET_DIR cargo install --quiet --force wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# npm tools: installed exactly from the committed lock file; re-run only when the lock changed.
NPM_DIR=$ROOT/.ci/npm
stamp=$NPM_DIR/node_modules/.lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s "$NPM_DIR/package-lock.json" "$stamp"; then
  log "npm ci (.ci/npm)"
  (cd "$NPM_DIR" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$NPM_DIR/package-lock.json" "$stamp"
fi

. "$ROOT/.ci/env.sh"
wo=$(wasm-opt --version | grep -o 'version [0-9]*' | awk '{print $2}')
if [ "${wo:-0}" -lt 120 ]; then
  echo "setup: wasm-opt $wo is first on PATH; binaryen < 120 corrupts wasm-bindgen output" >&2; exit 1
fi
log "ready: $(wasm-pack --version), wasm-bindgen $WASM_BINDGEN_VERSION, wasm-opt $wo, $(chromedriver --version | cut -d' ' -f1-2)"
