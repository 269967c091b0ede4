// Minifies wasm-bindgen's JS glue in place: whitespace, syntax and internal names. Exported names
// (the `Client` class keeps its name), the wasm import names and the module format stay. The
// JSDoc comments wasm-bindgen copies into the glue were half its gzip size; editors read the
// .d.ts, which keeps them. A leading `/* @ts-self-types="..." */` line (Deno finds the types
// through it) is kept. Target ES2022: the deno build uses top-level await.
//   node .ci/minify-glue.mjs FILE.js...
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
const require = createRequire(new URL("./npm/", import.meta.url));
const esbuild = require("esbuild");

for (const file of process.argv.slice(2)) {
  const src = readFileSync(file, "utf8");
  const header = src.match(/^\/\* @ts-self-types="[^"]*" \*\/\n/)?.[0] ?? "";
  const { code } = esbuild.transformSync(src, {
    minify: true,
    target: "es2022",
    legalComments: "none",
  });
  writeFileSync(file, header + code);
  console.error(`minified ${file}: ${src.length} -> ${header.length + code.length} bytes`);
}
