// One function per bundler: builds the test app in `dir` (a copy of app/) with no configuration
// beyond what a user passes anyway (entry, output folder, mode), or starts the tool's dev server
// on 127.0.0.1. Each resolves to {url, close, check?}: the page to open, how to stop what it
// started, and what to check after the page ran.
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { serveDir } from "../common/chromium.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const toolsDir = path.resolve(here, "../../../.ci/npm");
const tools = createRequire(path.join(toolsDir, "package.json"));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer().once("error", reject).listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// webpack's and esbuild's output has no HTML page: write the one a user would.
function page(dir, script) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "index.html"), `<!doctype html>\n<meta charset="utf-8">\n${script}\n`);
  return dir;
}

const vite = () => import(pathToFileURL(path.join(toolsDir, "node_modules/vite/dist/node/index.js")));

function webpackCompiler(dir, mode) {
  const webpack = tools("webpack");
  return webpack({ context: dir, entry: "./main.js", mode, output: { path: path.join(dir, "dist") } });
}

export const bundlers = {
  // `npx vite`: dependency pre-bundling moves the package into node_modules/.vite/deps/.
  async "vite-dev"(dir) {
    const server = await (await vite()).createServer({
      root: dir, configFile: false, logLevel: "warn",
      server: { host: "127.0.0.1", port: await freePort(), strictPort: true },
    });
    await server.listen();
    // The case of the bug report: the page must have run the pre-bundled copy, not the package.
    const check = () => {
      if (!existsSync(path.join(server.config.cacheDir, "deps/openiap-wasm.js"))) throw new Error("Vite did not pre-bundle openiap-wasm");
    };
    return { url: server.resolvedUrls.local[0], close: () => server.close(), check };
  },
  // `npx vite build`, output served as static files.
  async vite(dir) {
    await (await vite()).build({ root: dir, configFile: false, logLevel: "warn", build: { outDir: "dist" } });
    return serveDir(path.join(dir, "dist"));
  },
  // `npx webpack serve --mode development`: webpack-dev-server, bundle in memory.
  async "webpack-dev"(dir) {
    const Server = tools("webpack-dev-server");
    const server = new Server({
      host: "127.0.0.1", port: await freePort(), setupExitSignals: false,
      static: { directory: page(path.join(dir, "public"), '<script src="main.js"></script>'), watch: false },
    }, webpackCompiler(dir, "development"));
    await server.start();
    return { url: `http://127.0.0.1:${server.options.port}/`, close: () => server.stop() };
  },
  // `npx webpack --mode production`.
  async webpack(dir) {
    const compiler = webpackCompiler(dir, "production");
    const stats = await new Promise((resolve, reject) => compiler.run((e, s) => (e ? reject(e) : resolve(s))));
    await new Promise((r) => compiler.close(r));
    if (stats.hasErrors()) throw new Error(stats.toString("errors-only"));
    return serveDir(page(path.join(dir, "dist"), '<script src="main.js"></script>'));
  },
  // The README's esbuild command (esbuild.sh), run word for word in `dir`.
  async esbuild(dir) {
    execFileSync("bash", [path.join(here, "esbuild.sh")], { cwd: dir, stdio: "inherit" });
    return serveDir(page(path.join(dir, "dist"), '<script type="module" src="main.js"></script>'));
  },
  // `npx parcel build index.html` (the cache goes into `dir`, not the repository root).
  async parcel(dir) {
    const { Parcel } = tools("@parcel/core");
    const parcel = new Parcel({
      entries: [path.join(dir, "index.html")], defaultConfig: tools.resolve("@parcel/config-default"),
      mode: "production", cacheDir: path.join(dir, ".parcel-cache"), logLevel: "warn",
      defaultTargetOptions: { distDir: path.join(dir, "dist") },
    });
    await parcel.run();
    return serveDir(path.join(dir, "dist"));
  },
};
