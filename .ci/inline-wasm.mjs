// Writes src/js/inline.js with a wasm file inlined: gzip-compressed with zopfli (3.7 KB smaller
// than gzip -9 on this wasm; what a browser decompresses is plain gzip) and base64-encoded.
// Used by .ci/finish-glue.mjs for the browser entry:
//   inlineWasm("DIR/openiap_wasm_bg.wasm", "DIR/inline.js")
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { gunzipSync } from "node:zlib";
const require = createRequire(new URL("./npm/", import.meta.url));
const { gzipAsync } = require("@gfx/zopfli");

const PLACEHOLDER = '"@WASM_GZIP_BASE64@"';

export async function inlineWasm(wasmPath, outPath) {
  const wasm = readFileSync(wasmPath);
  const gzip = Buffer.from(await gzipAsync(wasm, { numiterations: 15 }));
  if (!gunzipSync(gzip).equals(wasm)) throw new Error("zopfli output does not decompress to the wasm");
  const template = readFileSync(new URL("../src/js/inline.js", import.meta.url), "utf8");
  if (!template.includes(PLACEHOLDER)) throw new Error(`src/js/inline.js has no ${PLACEHOLDER}`);
  writeFileSync(outPath, template.replace(PLACEHOLDER, JSON.stringify(gzip.toString("base64"))));
}
