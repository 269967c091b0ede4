// Finishes one wasm-bindgen output directory as the package ships it:
// 1. copies the JS layer (src/js/client.js) next to the glue and appends to the glue the two lines
//    that add it to the `Client` class and export `ClientError` (the snippet copy the wasm uses);
// 2. for the nodejs target (CommonJS: node/package.json says so), turns the JS snippets and the
//    layer into CommonJS, since Node cannot `require` an ES module there;
// 3. for the browser target (a copy of the web build), inlines the wasm: the glue's default
//    `new URL("openiap_wasm_bg.wasm", import.meta.url)` becomes `wasm()` from inline.js
//    (.ci/inline-wasm.mjs writes it), and the .wasm file is removed;
// 4. minifies the glue, the snippets and the layer (the JSDoc wasm-bindgen copies into the glue
//    was half its gzip size; the .d.ts keeps the docs). A leading `/* @ts-self-types="..." */`
//    line (Deno finds the types through it) is kept. Target ES2022 (the deno build uses
//    top-level await).
//   node .ci/finish-glue.mjs DIR web|browser|bundler|nodejs|deno
// Prints the JS files it wrote, one per line, for .ci/size.sh.
import { readFileSync, writeFileSync, readdirSync, statSync, copyFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { inlineWasm } from "./inline-wasm.mjs";
const require = createRequire(new URL("./npm/", import.meta.url));
const esbuild = require("esbuild");

const [dir, target] = process.argv.slice(2);
if (!dir || !["web", "browser", "bundler", "nodejs", "deno"].includes(target)) {
  console.error("usage: node .ci/finish-glue.mjs DIR web|browser|bundler|nodejs|deno");
  process.exit(2);
}
const cjs = target === "nodejs";
const root = new URL("..", import.meta.url).pathname;

function walk(d) {
  return readdirSync(d).flatMap((f) => {
    const p = join(d, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
const snippets = walk(dir).filter((p) => p.includes("/snippets/") && p.endsWith(".js"));
const errors = snippets.find((p) => p.endsWith("/src/js/errors.js"));
if (!errors) throw new Error(`${dir}: no snippets/*/src/js/errors.js (the wasm creates its errors there)`);
const errorsPath = "./" + relative(dir, errors);

// The class is defined in openiap_wasm.js, or in openiap_wasm_bg.js for the bundler target.
const glue = join(dir, target === "bundler" ? "openiap_wasm_bg.js" : "openiap_wasm.js");
copyFileSync(join(root, "src/js/client.js"), join(dir, "client.js"));
const hookup = cjs
  ? `\nconst { ClientError } = require(${JSON.stringify(errorsPath)});\n` +
    `require("./client.js").extend(Client, ClientError);\nexports.ClientError = ClientError;\n`
  : `\nimport { extend as __extend } from "./client.js";\n` +
    `import { ClientError } from ${JSON.stringify(errorsPath)};\n` +
    `__extend(Client, ClientError);\nexport { ClientError };\n`;
let glueSrc = readFileSync(glue, "utf8") + hookup;
const layer = [join(dir, "client.js")];
if (target === "browser") {
  const fetched = "module_or_path = new URL('openiap_wasm_bg.wasm', import.meta.url);";
  if (!glueSrc.includes(fetched)) throw new Error(`${glue}: the default wasm URL was not found (wasm-bindgen changed?)`);
  glueSrc = glueSrc.replace(fetched, "module_or_path = __wasm();") + `import { wasm as __wasm } from "./inline.js";\n`;
  await inlineWasm(join(dir, "openiap_wasm_bg.wasm"), join(dir, "inline.js"));
  rmSync(join(dir, "openiap_wasm_bg.wasm"));
  rmSync(join(dir, "openiap_wasm_bg.wasm.d.ts"), { force: true });
  layer.push(join(dir, "inline.js"));
}
writeFileSync(glue, glueSrc);

const written = [];
for (const file of [glue, ...layer, ...snippets]) {
  const src = readFileSync(file, "utf8");
  const header = src.match(/^\/\* @ts-self-types="[^"]*" \*\/\n/)?.[0] ?? "";
  const isGlue = file === glue;
  const { code } = esbuild.transformSync(src, {
    minify: true,
    target: "es2022",
    legalComments: "none",
    // The glue already has its target's module format; the snippets and the layer are ESM.
    format: isGlue ? undefined : cjs ? "cjs" : "esm",
  });
  writeFileSync(file, header + code);
  written.push(file);
}
if (target === "nodejs") {
  // The glue's `Client` class name must survive minification: the hookup refers to it.
  if (!/\bClient\b/.test(readFileSync(glue, "utf8"))) throw new Error("Client was renamed");
}
console.log(written.join("\n"));
