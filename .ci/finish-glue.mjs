// Finishes one wasm-bindgen output directory as the package ships it:
// 1. copies the JS layer (src/js/client.js, and src/js/data.js, live.js and live-engine.js in builds with the data API) next to
//    the glue and appends to the glue the lines that add it to the `Client` class and export
//    `ClientError` (the snippet copy the wasm uses);
// 2. for the browser target (a copy of the web build), inlines the wasm: the glue's default
//    `new URL("openiap_wasm_bg.wasm", import.meta.url)` becomes `wasm()` from inline.js
//    (.ci/inline-wasm.mjs writes it), and the .wasm file is removed;
// 3. gives the wasm's imports and exports short names, in the wasm and in the glue (and the
//    exports in the .d.ts) (.ci/short-imports.mjs), except for the bundler target;
// 4. bundles the glue, the layer (and inline.js) and the JS snippets into the one glue file
//    (CommonJS for the nodejs target, ES modules otherwise), minified: the JSDoc wasm-bindgen
//    copies into the glue was half its gzip size, and the .d.ts keeps the docs. The bundler
//    target keeps its files (its wasm imports the snippets by path), each minified. A leading
//    `/* @ts-self-types="..." */` line (Deno finds the types through it) is kept. Target ES2022
//    (the deno build uses top-level await). The bundled file is minified again by terser: its
//    names and compression save 345 B gzip on esbuild's output (docs/size.md).
//   node .ci/finish-glue.mjs DIR web|browser|bundler|nodejs|deno
// Prints the JS files it wrote, one per line, for .ci/size.sh.
import { existsSync, readFileSync, writeFileSync, readdirSync, statSync, copyFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, join, relative } from "node:path";
import { inlineWasm } from "./inline-wasm.mjs";
import { shortenExports, shortenImports } from "./short-imports.mjs";
const require = createRequire(new URL("./npm/", import.meta.url));
const esbuild = require("esbuild");
const terser = require("terser");

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
// Builds with the HTTP transport have its snippet, which also gives the class `client.transport`.
const http = snippets.find((p) => p.endsWith("/src/js/http.js"));
const httpPath = http && "./" + relative(dir, http);

// The class is defined in openiap_wasm.js, or in openiap_wasm_bg.js for the bundler target.
const glue = join(dir, target === "bundler" ? "openiap_wasm_bg.js" : "openiap_wasm.js");
const glueText = readFileSync(glue, "utf8");
// The data API's one export: only builds with it get data.js.
const withData = /\b__call\b/.test(glueText);
const layer = withData ? ["data.js", "client.js", "live.js"] : ["client.js"];
// Targets that run in browsers get the shared-connection files (not Node, Deno: no SharedWorker),
// except the messaging build (openiap-wasm/messaging), whose size budget has no room for the few
// hundred bytes the glue needs for them: there `shared: true` gets a connection of its own.
const shared = ["web", "browser", "bundler"].includes(target) && withData;
// ... and load the live query's engine on the first `live_query` call; the others bundle it.
const lazy = shared ? ["shared.js", "shared-worker.js", "live-engine.js"] : [];
if (withData && !shared) layer.push("live-engine.js");
for (const f of lazy) copyFileSync(join(root, "src/js", f), join(dir, f));
// shared.js names its package folder (browser, web, bundler): where Vite's dev server pre-bundled
// it away from its worker script, it starts the worker from node_modules/openiap-wasm/<folder>/.
// It also names the package version (Cargo.toml's), which goes into the worker's name: a tab of a
// new deploy never talks to an old version's worker that the open tabs keep alive.
if (shared) {
  const tab = join(dir, "shared.js");
  const version = /^version\s*=\s*"([^"]+)"/m.exec(readFileSync(join(root, "Cargo.toml"), "utf8"))?.[1];
  if (!version) throw new Error("Cargo.toml: no version");
  let text = readFileSync(tab, "utf8");
  for (const [mark, value] of [["@PKG_DIR@", basename(dir)], ["@PKG_VERSION@", version]]) {
    if (!text.includes(`"${mark}"`)) throw new Error(`${tab}: no "${mark}" placeholder`);
    text = text.replace(`"${mark}"`, JSON.stringify(value));
  }
  writeFileSync(tab, text);
}
if (shared) layer.push("shared-shell.js");
for (const f of layer) copyFileSync(join(root, "src/js", f), join(dir, f));
// The nodejs glue requires its snippets as require(String.raw`...`), which esbuild does not follow.
const glueSource = glueText.replace(/require\(String\.raw`([^`]*)`\)/g, (_, p) => `require(${JSON.stringify(p)})`);
const hookup = cjs
  ? `\nconst { ClientError } = require(${JSON.stringify(errorsPath)});\n` +
    (withData ? `require("./data.js").extend_data(Client, ClientError);\n` : "") +
    `require("./client.js").extend(Client, ClientError);\n` +
    (http ? `require(${JSON.stringify(httpPath)}).extend_http(Client);\n` : "") +
    (withData ? `require("./live.js").extend_live(Client, ClientError, require("./live-engine.js"));\n` : "") +
    `exports.ClientError = ClientError;\n`
  : `\nimport { extend as __extend } from "./client.js";\n` +
    (withData ? `import { extend_data as __extend_data } from "./data.js";\n` +
      `import { extend_live as __extend_live } from "./live.js";\n` +
      (shared ? "" : `import * as __live_engine from "./live-engine.js";\n`) : "") +
    `import { ClientError } from ${JSON.stringify(errorsPath)};\n` +
    (withData ? `__extend_data(Client, ClientError);\n` : "") +
    `__extend(Client, ClientError);\n` +
    // After extend(), which reads every function of the prototype: a getter is not one.
    (http ? `import { extend_http as __extend_http } from ${JSON.stringify(httpPath)};\n__extend_http(Client);\n` : "") +
    // After extend: live_query gets no `*_async` twin (it returns no promise).
    (withData ? `__extend_live(Client, ClientError, ${shared ? `() => import("./live-engine.js")` : "__live_engine"});\n` : "") +
    (shared ? `import { shareable as __shareable } from "./shared-shell.js";\n` +
      `Client = __shareable(Client, ClientError, () => import("./shared.js"));\n` : "") +
    `export { ClientError };\n`;
let glueSrc = glueSource + hookup;
// Short import and export names in the wasm and the glue (.ci/short-imports.mjs); the bundler
// target's wasm imports its glue's exports by name, so it keeps them.
if (target !== "bundler") {
  glueSrc = shortenImports(join(dir, "openiap_wasm_bg.wasm"), glueSrc);
  const dts = ["openiap_wasm.d.ts", "openiap_wasm_bg.wasm.d.ts"].map((f) => join(dir, f)).filter(existsSync);
  const [renamed, texts] = shortenExports(join(dir, "openiap_wasm_bg.wasm"), glueSrc, dts.map((f) => readFileSync(f, "utf8")));
  glueSrc = renamed;
  dts.forEach((f, i) => writeFileSync(f, texts[i]));
}
if (target === "browser") {
  const fetched = "module_or_path = new URL('openiap_wasm_bg.wasm', import.meta.url);";
  if (!glueSrc.includes(fetched)) throw new Error(`${glue}: the default wasm URL was not found (wasm-bindgen changed?)`);
  glueSrc = glueSrc.replace(fetched, "module_or_path = __wasm();") + `import { wasm as __wasm } from "./inline.js";\n`;
  await inlineWasm(join(dir, "openiap_wasm_bg.wasm"), join(dir, "inline.js"));
  rmSync(join(dir, "openiap_wasm_bg.wasm"));
  rmSync(join(dir, "openiap_wasm_bg.wasm.d.ts"), { force: true });
  layer.push("inline.js");
}
writeFileSync(glue, glueSrc);

const written = [];
const header = glueText.match(/^\/\* @ts-self-types="[^"]*" \*\/\n/)?.[0] ?? "";
if (target === "bundler") {
  // The bundler target's wasm imports the snippets by path: each file stays, minified on its own.
  for (const file of [glue, ...layer.map((f) => join(dir, f)), ...snippets]) {
    const { code } = esbuild.transformSync(readFileSync(file, "utf8"), {
      minify: process.env.GLUE_NO_MINIFY !== "1",
      target: "es2022",
      legalComments: "none",
      format: file === glue ? undefined : "esm",
    });
    writeFileSync(file, code);
    written.push(file);
  }
} else {
  // One file: the glue with the layer and the snippets bundled in (one request, one gzip stream;
  // ~400 B gzip less than five files). The snippet files and the layer copies go away.
  const { outputFiles } = esbuild.buildSync({
    entryPoints: [glue],
    bundle: true,
    write: false,
    minify: process.env.GLUE_NO_MINIFY !== "1",
    target: "es2022",
    legalComments: "none",
    format: cjs ? "cjs" : "esm",
    platform: cjs ? "node" : "neutral",
    external: shared ? ["./shared.js", "./live-engine.js"] : ["./shared.js"],
  });
  // terser keeps the functions' parameters (keep_fargs): client.js checks arity by `f.length`.
  const { code } = process.env.GLUE_NO_MINIFY === "1" ? { code: outputFiles[0].text } : await terser.minify(outputFiles[0].text, {
    ecma: 2022,
    module: !cjs,
    compress: { passes: 2, keep_fargs: true },
    mangle: true,
    format: { comments: false },
  });
  writeFileSync(glue, header + code);
  written.push(glue);
  for (const f of layer) rmSync(join(dir, f));
  rmSync(join(dir, "snippets"), { recursive: true, force: true });
}
for (const f of lazy) {
  const file = join(dir, f);
  const { code } = esbuild.transformSync(readFileSync(file, "utf8"), { minify: true, target: "es2022", legalComments: "none", format: "esm" });
  writeFileSync(file, code);
  written.push("lazy " + file);
}
console.log(written.join("\n"));
