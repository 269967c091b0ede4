// Headless Chromium for the browser tests (playwright-core, /usr/bin/chromium) and a static file
// server for built output, both on 127.0.0.1. A page reports through window.__result = {ok, text}.
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const tools = createRequire(fileURLToPath(new URL("../../../.ci/npm/package.json", import.meta.url)));
const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };

// Serves `dir` on a free port; resolves to {url, close}. `typeOf(file)` may name another
// content type for a file (as a dev server that answers with its HTML page does).
export async function serveDir(dir, typeOf = () => undefined) {
  const root = path.resolve(dir);
  const server = createServer(async (req, res) => {
    if (req.url === "/favicon.ico") return res.writeHead(204).end();
    const file = path.join(root, path.normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)));
    try {
      if (!file.startsWith(root)) throw new Error("outside");
      const body = await readFile(file);
      res.writeHead(200, { "content-type": typeOf(file) || types[path.extname(file)] || "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
  };
}

/** Headless Chromium (Debian's, through playwright-core) with no background traffic. */
export function launchChromium() {
  const { chromium } = tools("playwright-core");
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--disable-quic", "--no-first-run"],
  });
}

// Opens `url` in headless Chromium and waits for window.__result. Returns {text, wasm, version}:
// `wasm` lists the .wasm responses the page received ("path content-type"). Throws if the page
// reports a failure or throws an uncaught error (e.g. a failed top-level `await init()`). The page's
// console is printed, prefixed with `label`.
export async function runPage(url, label, timeout = 60000) {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const wasm = [];
    page.on("console", (m) => console.log(`[${label} console.${m.type()}] ${m.text()}`));
    const uncaught = new Promise((_, reject) => page.on("pageerror", (e) => reject(new Error(`uncaught in the page: ${e.message}`))));
    uncaught.catch(() => {});            // an error after the result changes nothing
    page.on("response", (r) => {
      if (new URL(r.url()).pathname.endsWith(".wasm")) wasm.push(`${new URL(r.url()).pathname} ${r.headers()["content-type"]}`);
    });
    await page.goto(url);
    await Promise.race([page.waitForFunction(() => window.__result, null, { timeout }), uncaught]);
    const result = await page.evaluate(() => window.__result);
    if (!result.ok) throw new Error(result.text);
    return { text: result.text, wasm, version: await browser.version() };
  } finally {
    await browser.close();
  }
}
