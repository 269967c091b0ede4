// One function per bundler: builds the test app in `dir` (a copy of app/) with no configuration
// beyond what a user passes anyway (entry, output folder, mode), or starts the tool's dev server
// on 127.0.0.1. Each resolves to {url, close, check?}: the page to open, how to stop what it
// started, and what to check after the page ran.
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
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

// `npx vite` in `dir` with the config `extra` (the README's one line, or none).
async function viteDev(dir, extra = {}, prebundled = true) {
  const server = await (await vite()).createServer({
    root: dir, configFile: false, logLevel: "warn", ...extra,
    server: { host: "127.0.0.1", port: await freePort(), strictPort: true },
  });
  await server.listen();
  // The case of the bug report: the page must have run the pre-bundled copy, not the package.
  const check = () => {
    if (existsSync(path.join(server.config.cacheDir, "deps/openiap-wasm.js")) !== prebundled) {
      throw new Error(`Vite ${prebundled ? "did not pre-bundle" : "pre-bundled"} openiap-wasm`);
    }
  };
  return { url: server.resolvedUrls.local[0], close: () => server.close(), check };
}

// An npm workspaces monorepo in `dir`: the package installed (hoisted) in repo/node_modules, the
// test app in repo/app with a package.json of its own, so Vite's cache (`node_modules/.vite`) is
// in the app while the package is further up. Returns the app's folder.
function hoisted(dir) {
  const repo = path.join(dir, "repo"), app = path.join(repo, "app");
  cpSync(path.resolve(here, "../node_modules/openiap-wasm"), path.join(repo, "node_modules/openiap-wasm"), { recursive: true });
  writeFileSync(path.join(repo, "package.json"), '{ "name": "repo", "private": true, "workspaces": ["app"] }\n');
  for (const f of readdirSync(dir)) if (f.endsWith(".js") || f.endsWith(".html")) cpSync(path.join(dir, f), path.join(app, f));
  writeFileSync(path.join(app, "package.json"), '{ "name": "app", "private": true, "type": "module" }\n');
  return app;
}

export const bundlers = {
  // `npx vite`: dependency pre-bundling moves the package into node_modules/.vite/deps/.
  "vite-dev": (dir) => viteDev(dir),
  // The same in a monorepo with the package hoisted above the app (cache and package apart).
  "vite-dev-hoisted": (dir) => viteDev(hoisted(dir)),
  // The same with the README's one line for that case: Vite serves the package as it is.
  "vite-dev-exclude": (dir) => viteDev(hoisted(dir), { optimizeDeps: { exclude: ["openiap-wasm"] } }, false),
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
  // The README's esbuild command for shared clients (esbuild-worker.sh): the worker as a second entry.
  async "esbuild-worker"(dir) {
    execFileSync("bash", [path.join(here, "esbuild-worker.sh")], { cwd: dir, stdio: "inherit" });
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
