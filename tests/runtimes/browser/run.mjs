// Bundler + browser tests: builds index.html/main.js/worker.js with Vite (resolving the npm-installed
// package through its exports map), serves the output from 127.0.0.1 and loads it in headless
// Chromium (playwright-core, /usr/bin/chromium).
// Usage: node browser/run.mjs build OUTDIR
//        node browser/run.mjs page|worker OUTDIR ws://user:pass@127.0.0.1:PORT
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const toolsDir = path.resolve(here, "../../../.ci/npm");
const tools = createRequire(path.join(toolsDir, "package.json"));
const [mode, outDir, url] = process.argv.slice(2);

if (mode === "build") {
  const vite = await import(pathToFileURL(path.join(toolsDir, "node_modules/vite/dist/node/index.js")));
  await vite.build({
    root: here, configFile: false, logLevel: "warn", base: "./",
    build: { outDir, emptyOutDir: true, target: "es2022" },
    worker: { format: "es" },
  });
  const assets = await readdir(path.join(outDir, "assets"));
  if (!assets.some((f) => f.endsWith(".wasm"))) throw new Error("Vite emitted no .wasm asset: " + assets.join(", "));
  console.log(`vite build: ${assets.join(", ")}`);
  process.exit(0);
}

const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };
const server = createServer(async (req, res) => {
  if (req.url === "/favicon.ico") return res.writeHead(204).end();
  const file = path.join(outDir, path.normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)));
  try {
    if (!file.startsWith(path.resolve(outDir))) throw new Error("outside");
    const body = await readFile(file);
    res.writeHead(200, { "content-type": types[path.extname(file)] || "application/octet-stream" });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const port = server.address().port;

const { chromium } = tools("playwright-core");
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-quic", "--no-first-run"],
});
try {
  const page = await browser.newPage();
  page.on("console", (m) => console.log(`[${mode} console.${m.type()}] ${m.text()}`));
  page.on("pageerror", (e) => console.log(`[${mode} pageerror] ${e.message}`));
  await page.goto(`http://127.0.0.1:${port}/index.html?mode=${mode}&url=${encodeURIComponent(url)}`);
  await page.waitForFunction(() => window.__result, null, { timeout: 60000 });
  const result = await page.evaluate(() => window.__result);
  if (!result.ok) throw new Error(result.text);
  console.log(`${result.text} (${await browser.version()})`);
} finally {
  await browser.close();
  server.close();
}
