// Headless Chromium: tests/js/fuzz.js against the installed package's web entry (the release
// build as shipped), in a page served from 127.0.0.1.
// Usage: node fuzz/browser.mjs WORKDIR ws://127.0.0.1:PORT
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { serveDir, runPage } from "../common/chromium.mjs";

const [work, url] = process.argv.slice(2);
const dir = path.join(work, "fuzz-page");
const web = path.dirname(createRequire(import.meta.url).resolve("openiap-wasm/package.json"));
fs.rmSync(dir, { recursive: true, force: true });
fs.cpSync(path.join(web, "web"), path.join(dir, "pkg"), { recursive: true });
fs.copyFileSync(new URL("../../js/fuzz.js", import.meta.url), path.join(dir, "fuzz.js"));
fs.writeFileSync(path.join(dir, "index.html"), `<!doctype html><script type="module">
import init, { Client, ClientError } from "./pkg/openiap_wasm.js";
import { fuzz } from "./fuzz.js";
await init();
fuzz({ Client, ClientError, url: ${JSON.stringify(url)} }).then(
  (text) => { window.__result = { ok: true, text }; },
  (e) => { window.__result = { ok: false, text: String(e && e.message) }; });
</script>`);
const server = await serveDir(dir);
try {
  const { text, version } = await runPage(server.url + "index.html", "fuzz", 120000);
  console.log(`chromium ${version}: ${text}`);
} finally {
  await server.close();
}
