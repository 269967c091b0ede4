#!/usr/bin/env bash
# Prints the size of the release `web` build as the package ships it (wasm after wasm-opt, the JS
# glue, the JS layer and snippets, minified): raw, gzip -9, brotli. `SIZE_BUDGET_GZIP` (bytes)
# fails the run when the gzip total exceeds it. Arguments go to
# `cargo build`: `bash .ci/size.sh --no-default-features` measures the build without the data API.
# The largest functions: `twiggy top -n 30 target/size/openiap_wasm_bg.wasm` (names kept there).
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/env.sh
out=target/size
rm -rf "$out" && mkdir -p "$out"
cargo build --quiet --release --target wasm32-unknown-unknown --lib "$@"
wasm-bindgen --target web --out-dir "$out" target/wasm32-unknown-unknown/release/openiap_wasm.wasm
wasm-opt -O "$out/openiap_wasm_bg.wasm" -o "$out/opt.wasm" --enable-reference-types --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-multivalue --enable-mutable-globals --enable-bulk-memory-opt
wasm-opt -O --strip-debug --strip-producers "$out/openiap_wasm_bg.wasm" -o "$out/release.wasm" --enable-reference-types --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-multivalue --enable-mutable-globals --enable-bulk-memory-opt
js_files=$(node .ci/finish-glue.mjs "$out" web)   # as shipped in pkg/web (.ci/pkg.sh)
sizes() { printf '%-32s raw %7d  gzip %6d  brotli %6d\n' "$1" "$(wc -c <"$2")" "$(gzip -9 -c "$2" | wc -c)" \
  "$(node -e 'const z=require("zlib");const b=require("fs").readFileSync(process.argv[1]);console.log(z.brotliCompressSync(b,{params:{[z.constants.BROTLI_PARAM_QUALITY]:11}}).length)' "$2")"; }
sizes "wasm (wasm-opt -O)" "$out/release.wasm"
total=$(gzip -9 -c "$out/release.wasm" | wc -c)
for f in $js_files; do
  sizes "JS ${f#"$out"/}" "$f"
  total=$(( total + $(gzip -9 -c "$f" | wc -c) ))
done
echo "total gzip -9: $total bytes (wasm + every JS file, each gzipped on its own)"
if [ -n "${SIZE_BUDGET_GZIP:-}" ] && [ "$total" -gt "$SIZE_BUDGET_GZIP" ]; then
  echo "size budget exceeded: $total > $SIZE_BUDGET_GZIP bytes (gzip -9, wasm + JS)"; exit 1
fi
