#!/usr/bin/env bash
# Prints the size of the release build as the package ships it to browsers, for both browser
# entries: `web` (webpack; wasm after wasm-opt as its own file) and `browser` (every other bundler:
# the same wasm inlined into inline.js, docs/bundlers.md), each with the JS glue, the JS layer and
# snippets, minified: raw, gzip -9, brotli. `SIZE_BUDGET_GZIP` (bytes) fails the run when either
# gzip total exceeds it. Arguments go to `cargo build`: `bash .ci/size.sh --no-default-features`
# measures the build without the data API. Files a page loads only on demand (shared.js and
# shared-worker.js, for `new Client({ shared: true })`; live-engine.js, for the first
# `live_query`) are listed after each entry on their own, outside the total and the budget: a page
# that asks for neither never loads them.
# The largest functions: `twiggy top -n 30 target/size/opt.wasm` (names kept there).
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/env.sh
out=target/size
browser=target/size-browser
rm -rf "$out" "$browser" && mkdir -p "$out"
cargo fetch --quiet
RUSTFLAGS=$(release_rustflags) cargo build --quiet --release --target wasm32-unknown-unknown --lib "$@"
wasm-bindgen --target web --out-dir "$out" target/wasm32-unknown-unknown/release/openiap_wasm.wasm
# The wasm-opt flags wasm-pack uses for the package ([package.metadata.wasm-pack.profile.release]).
read -r -a opt <<<"$(sed -n 's/^wasm-opt = \[\(.*\)\]$/\1/p' Cargo.toml | tr -d '",')"
wasm-opt "${opt[@]}" "$out/openiap_wasm_bg.wasm" -o "$out/opt.wasm" --enable-reference-types --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-multivalue --enable-mutable-globals --enable-bulk-memory-opt
wasm-opt "${opt[@]}" --strip-debug --strip-producers "$out/openiap_wasm_bg.wasm" -o "$out/release.wasm" --enable-reference-types --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-multivalue --enable-mutable-globals --enable-bulk-memory-opt
# The browser entry is a copy of the web build before it is finished (.ci/pkg.sh does the same);
# finishing renames the imports of the wasm next to the glue, so that is the release build.
cp "$out/release.wasm" "$out/openiap_wasm_bg.wasm"
mkdir -p "$browser" && cp -r "$out/openiap_wasm.js" "$out/snippets" "$out/openiap_wasm_bg.wasm" "$browser/"
web_all=$(node .ci/finish-glue.mjs "$out" web)             # as shipped in pkg/web (.ci/pkg.sh)
browser_all=$(node .ci/finish-glue.mjs "$browser" browser) # as shipped in pkg/browser
web_js=$(grep -v '^lazy ' <<<"$web_all")
browser_js=$(grep -v '^lazy ' <<<"$browser_all")
sizes() { printf '%-32s raw %7d  gzip %6d  brotli %6d\n' "$1" "$(wc -c <"$2")" "$(gzip -9 -c "$2" | wc -c)" \
  "$(node -e 'const z=require("zlib");const b=require("fs").readFileSync(process.argv[1]);console.log(z.brotliCompressSync(b,{params:{[z.constants.BROTLI_PARAM_QUALITY]:11}}).length)' "$2")"; }
over=0
entry() { # name dir files...: prints each file and the gzip total, checks the budget
  local name=$1 dir=$2 total=0 f; shift 2
  echo "$name:"
  for f in "$@"; do
    sizes "${f#"$dir"/}" "$f"
    total=$(( total + $(gzip -9 -c "$f" | wc -c) ))
  done
  echo "$name total gzip -9: $total bytes (each file gzipped on its own)"
  if [ -n "${SIZE_BUDGET_GZIP:-}" ] && [ "$total" -gt "$SIZE_BUDGET_GZIP" ]; then
    echo "size budget exceeded: $name $total > $SIZE_BUDGET_GZIP bytes (gzip -9)"; over=1
  fi
}
# shellcheck disable=SC2086 # one file per word
entry "web (wasm + JS)" "$out" "$out/openiap_wasm_bg.wasm" $web_js
# shellcheck disable=SC2086
entry "browser (wasm inlined in inline.js + JS)" "$browser" $browser_js
lazy() { # name dir: the on-demand files of an entry
  local f total=0
  echo "$1, loaded only by new Client({ shared: true }) or live_query (not in the total above):"
  for f in $(sed -n 's/^lazy //p' <<<"$3"); do
    sizes "${f#"$2"/}" "$f"
    total=$(( total + $(gzip -9 -c "$f" | wc -c) ))
  done
  echo "$1 on-demand files gzip -9: $total bytes"
}
lazy "web" "$out" "$web_all"
lazy "browser" "$browser" "$browser_all"
exit "$over"
