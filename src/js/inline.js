// The wasm of the package's browser entry (browser/), inlined so that no bundler has to emit, move
// or serve a .wasm file: Vite's dev server, esbuild and the rest load it with no configuration.
// .ci/inline-wasm.mjs writes the gzip-compressed (zopfli), base64-encoded wasm into the string
// below when the package is built. `wasm()` decompresses it with the browser's DecompressionStream
// into a Response that the glue compiles while it streams (WebAssembly.instantiateStreaming).
const GZIP_BASE64 = "@WASM_GZIP_BASE64@";

export function wasm() {
  const gzip = Uint8Array.from(atob(GZIP_BASE64), (c) => c.charCodeAt(0));
  const stream = new Blob([gzip]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream, { headers: { "content-type": "application/wasm" } });
}
