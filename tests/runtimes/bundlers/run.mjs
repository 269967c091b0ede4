// Bundler tests: copies app/ to OUTDIR, builds it with TOOL (or starts TOOL's dev server), opens
// the page in headless Chromium, which loads the package with the README's two lines and does one
// rpc against the test server, then stops everything it started.
// LOADER says how the page must get the wasm: "inline" (no .wasm request: the package's browser
// entry) or "file" (one .wasm served as application/wasm: the web build, webpack's asset).
// Then two pages of the same build run the README's shared example (shared.mjs): EXPECT says what
// must happen, "shares" (one socket for both) or "falls-back" (each its own, with a SharedFallback
// event). The test server's control URL comes from $OPENIAP_CONTROL_URL.
// Usage: node bundlers/run.mjs TOOL inline|file OUTDIR ws://user:pass@127.0.0.1:PORT shares|falls-back
import { cpSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { bundlers } from "./tools.mjs";
import { runPage } from "../common/chromium.mjs";
import { sharedOutcome } from "./shared.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const [tool, loader, outDir, url, expect] = process.argv.slice(2);
const control = process.env.OPENIAP_CONTROL_URL;
if (!bundlers[tool] || !["inline", "file"].includes(loader) || !url || !["shares", "falls-back"].includes(expect) || !control) {
  console.error(`usage: OPENIAP_CONTROL_URL=... node bundlers/run.mjs ${Object.keys(bundlers).join("|")} inline|file OUTDIR URL shares|falls-back`);
  process.exit(2);
}

rmSync(outDir, { recursive: true, force: true });
cpSync(path.join(here, "app"), outDir, { recursive: true });
cpSync(path.join(here, "../../js/readme/shared.js"), path.join(outDir, "shared-example.js"));
const t0 = Date.now();
const started = await bundlers[tool](outDir);
let code = 1;
try {
  const ready = Date.now() - t0;
  const { text, wasm, version } = await runPage(`${started.url}index.html?url=${encodeURIComponent(url)}`, tool);
  if (text !== JSON.stringify({ hello: "bundler" })) throw new Error("unexpected rpc reply: " + text);
  const file = wasm.length === 1 && wasm[0].endsWith(" application/wasm");
  if (loader === "inline" ? wasm.length !== 0 : !file) {
    throw new Error(`expected the wasm ${loader === "inline" ? "inlined (no .wasm request)" : "as one application/wasm file"}, got: ${wasm.join(", ") || "no .wasm request"}`);
  }
  await started.check?.();
  const shared = await sharedOutcome(started.url, url, control, tool);
  if (shared !== expect.replace("-", " ")) throw new Error(`shared: true: expected the pages to ${expect.replace("-", " ")}, but they ${shared}`);
  console.log(`${tool}: ready in ${ready} ms, rpc reply ${text}, wasm ${wasm.length ? wasm[0] : "inline"} (${version}); shared: true ${shared}`);
  code = 0;
} finally {
  await started.close();
}
process.exit(code);
