#!/usr/bin/env bash
# Builds the npm package `openiap-wasm` into pkg/ (one command: `make pkg`).
#
#   bash .ci/pkg.sh                # build + assemble pkg/
#   bash .ci/pkg.sh --pack DIR     # ... and `npm pack` it into DIR (prints the tarball's path last)
#   PKG_SKIP_BUILD=1 ...           # reuse target/pkg-stage/<target> from the previous run (tests)
#
# Layout of pkg/ (the package root):
#   browser/  the web build with the wasm inlined (gzip + base64 in inline.js): `await init()`
#             needs no .wasm file, so no bundler has to emit or serve one (docs/bundlers.md)
#   web/      wasm-pack --target web      ESM; `await init()` fetches the .wasm via new URL(import.meta.url)
#   bundler/  wasm-pack --target bundler  ESM that imports the .wasm (webpack asyncWebAssembly)
#   node/     wasm-pack --target nodejs   CommonJS (node/package.json says so) + index.mjs for `import`
#   deno/     wasm-pack --target deno     ESM with top-level await + index.js adding a no-op `init`
#   workerd/  index.js: the web build instantiated with initSync() from an imported .wasm module
#   messaging/ the web build without the data API (`--no-default-features`); `openiap-wasm/messaging`
#             maps "webpack" here and everything else to messaging-browser/ (the wasm inlined), as "."
#   package.json (from .ci/pkg/package.template.json), README.md, LICENSE
#
# The exports map of "." (first matching condition wins, so the order matters):
#   "bun"     -> node/     Bun runs the CommonJS nodejs build; `import` goes through node/index.mjs.
#   "workerd" -> workerd/  wrangler/workerd import .wasm as a compiled WebAssembly.Module, and the
#                          bundler build fails there (`__wbindgen_start is not a function`), so the
#                          web build + initSync. Not mapped under "worker": webpack sets "worker" for
#                          Web Worker builds, which need the web build (a .wasm import breaks there).
#   "deno"    -> deno/     before "node", because Deno also matches "node".
#   "node"    -> node/     "require" gets the CommonJS file, "import" the ESM wrapper (same instance).
#   "webpack" -> web/      webpack 5 emits `new URL("x.wasm", import.meta.url)` as an asset: a
#                          separate, cacheable .wasm (with brotli 6.7 KB smaller than inline).
#   "types"/"default" -> browser/: Vite (dev server: pre-bundling moves the glue away from its
#                          .wasm; build), esbuild (emits no asset for new URL), Parcel (through the
#                          "browser" field), Rollup, Web Workers. The bundler build needs ESM wasm
#                          integration, which Vite and esbuild lack, so it is only a subpath.
# Every entry has a default export `init` (a no-op where the wasm is already loaded), so
# `import init, { Client } from "openiap-wasm"; await init();` runs unchanged everywhere.
# Each condition has its own "types"; the .d.ts of all builds declare the same Client and shapes.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. .ci/env.sh

PACK_DIR=""
if [ "${1:-}" = "--pack" ]; then PACK_DIR=${2:?--pack needs a directory}; fi

t0=$(date +%s)
log() { printf '[pkg +%ss] %s\n' "$(( $(date +%s) - t0 ))" "$*" >&2; }

# [package] fields of Cargo.toml (first occurrence of each key is in [package]).
cargo_field() { awk -v k="$1" -F' = ' '$1==k { gsub(/^"|"$/, "", $2); print $2; exit }' Cargo.toml; }
VERSION=$(cargo_field version)
DESCRIPTION=$(cargo_field description)

STAGE=$ROOT/target/pkg-stage
OUT=$STAGE/openiap-wasm
if [ "${PKG_SKIP_BUILD:-0}" != 1 ] || [ ! -d "$STAGE/web" ]; then
  rm -rf "$STAGE"
  cargo fetch --quiet
  RUSTFLAGS=$(release_rustflags)   # .ci/env.sh
  export RUSTFLAGS
  for t in web bundler nodejs deno; do
    log "wasm-pack build --release --target $t"
    wasm-pack --quiet build --release --no-pack --target "$t" --out-dir "$STAGE/$t" . >&2
  done
  log "wasm-pack build --release --target web --no-default-features (messaging only)"
  wasm-pack --quiet build --release --no-pack --target web --out-dir "$STAGE/messaging" . -- --no-default-features >&2
fi

rm -rf "$OUT" && mkdir -p "$OUT"
cp -r "$STAGE/web" "$STAGE/bundler" "$STAGE/deno" "$STAGE/messaging" "$OUT/"
cp -r "$STAGE/nodejs" "$OUT/node"
cp -r "$STAGE/web" "$OUT/browser"
cp -r "$STAGE/messaging" "$OUT/messaging-browser"
# wasm-pack's per-target leftovers (.gitignore "*" would even hide the files from npm pack).
find "$OUT" -mindepth 2 \( -name .gitignore -o -name package.json -o -name 'README*' -o -name 'LICENSE*' \) -delete
# Each build gets the JS layer (src/js/client.js and data.js: the data API's method names, npm's
# *_async names, ClientError) bundled into its glue with the snippets, minified (browser builds:
# with the wasm inlined too); the bundler build keeps separate files, since its wasm imports the
# snippets by path (.ci/finish-glue.mjs).
for t in web:web browser:browser bundler:bundler node:nodejs deno:deno messaging:web messaging-browser:browser; do
  node .ci/finish-glue.mjs "$OUT/${t%%:*}" "${t##*:}" >/dev/null
done
# Entry shims (node/package.json only marks node/ as CommonJS inside this "type": "module" package).
cp -r .ci/pkg/node .ci/pkg/deno .ci/pkg/workerd "$OUT/"

VERSION="$VERSION" DESCRIPTION="$DESCRIPTION" node - "$OUT" <<'EOF'
const fs = require("fs"), path = require("path");
const out = process.argv[2];
const fill = (s) => s.replaceAll("@VERSION@", process.env.VERSION)
  .replaceAll("@DESCRIPTION@", process.env.DESCRIPTION);
const pkg = JSON.parse(fill(fs.readFileSync(".ci/pkg/package.template.json", "utf8")));
fs.writeFileSync(path.join(out, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
fs.writeFileSync(path.join(out, "LICENSE"), fill(fs.readFileSync(".ci/pkg/LICENSE.template", "utf8")));
// The npm README is the repository's README.md as it is (install, quick start, runtimes, API).
fs.copyFileSync("README.md", path.join(out, "README.md"));
// Every target of the exports map (and main/module/browser/types) must exist.
const targets = [];
const walk = (v) => typeof v === "string" ? targets.push(v) : Object.values(v).forEach(walk);
walk(pkg.exports); ["main", "module", "browser", "types"].forEach((k) => targets.push(pkg[k]));
const missing = targets.filter((t) => !fs.existsSync(path.join(out, t)));
if (missing.length) { console.error("pkg: exports point at missing files:", missing); process.exit(1); }
EOF

rm -rf pkg && mv "$OUT" pkg
log "pkg/ $(du -sh pkg | cut -f1): $(cd pkg && ls | tr '\n' ' ')"

if [ -n "$PACK_DIR" ]; then
  mkdir -p "$PACK_DIR"
  tgz=$(cd pkg && npm pack --silent --pack-destination "$(cd "$ROOT" && cd "$PACK_DIR" && pwd)")
  log "packed $tgz"
  echo "$(cd "$PACK_DIR" && pwd)/$tgz"
fi
