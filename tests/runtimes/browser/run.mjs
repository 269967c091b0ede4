// Bundler + browser tests: builds index.html/main.js/worker.js with Vite (resolving the npm-installed
// package through its exports map to the browser entry, wasm inlined), serves the output from 127.0.0.1 and loads it in headless
// Chromium (playwright-core, /usr/bin/chromium).
// Usage: node browser/run.mjs build OUTDIR
//        node browser/run.mjs page|worker|port OUTDIR ws://user:pass@127.0.0.1:PORT
//        node browser/run.mjs http OUTDIR ws://user:pass@127.0.0.1:PORT CONTROL_URL
import { readdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { serveDir, runPage } from "../common/chromium.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const toolsDir = path.resolve(here, "../../../.ci/npm");
const [mode, outDir, url, control = ""] = process.argv.slice(2);

if (mode === "build") {
  const vite = await import(pathToFileURL(path.join(toolsDir, "node_modules/vite/dist/node/index.js")));
  await vite.build({
    root: here, configFile: false, logLevel: "warn", base: "./",
    build: { outDir, emptyOutDir: true, target: "es2022" },
    worker: { format: "es" },
  });
  const assets = await readdir(path.join(outDir, "assets"));
  // The package's browser entry carries its wasm inlined: no .wasm file to emit.
  if (assets.some((f) => f.endsWith(".wasm"))) throw new Error("Vite emitted a .wasm asset: " + assets.join(", "));
  console.log(`vite build: ${assets.join(", ")}`);
  process.exit(0);
}

const served = await serveDir(outDir);
try {
  const page = `${served.url}index.html?mode=${mode}&url=${encodeURIComponent(url)}&control=${encodeURIComponent(control)}`;
  const { text, version } = await runPage(page, mode);
  console.log(`${text} (${version})`);
} finally {
  await served.close();
}
