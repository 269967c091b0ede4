// The live query in headless Chromium, on the installed package's browser build:
// 1. the tests of tests/js/live_tests.js (as node.mjs runs them in Node);
// 2. the README's Svelte 5 component (compiled here with svelte/compiler) and React component
//    (react-dom, StrictMode; and react-dom/server) on a live query: they show inserts and
//    stale/live, and unmounting closes the live query;
// 3. `shared: true`: two pages of one origin, each with a live query, over one socket.
//   node livequery/run.mjs ws://127.0.0.1:PORT http://127.0.0.1:CONTROL WORKDIR
// Prints one line per step; exits 1 on the first failure (node.mjs runs the tests in Node).
import path from "node:path";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { launchChromium, serveDir } from "../common/chromium.mjs";
import { check, checkEq, waitFor } from "../common/checks.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../../..");
const tools = createRequire(path.join(root, ".ci/npm/package.json"));
const [url, control, work] = process.argv.slice(2);
const t0 = Date.now();
const step = (what) => console.log(`ok   ${what} (${Date.now() - t0} ms)`);
const stats = async () => (await fetch(control + "/stats")).json();

// The page's UI bundle: React and the README's components, each .svelte file compiled here.
const { compile, VERSION } = tools("svelte/compiler");
const svelte = {
  name: "svelte",
  setup(build) {
    build.onLoad({ filter: /\.svelte$/ }, (args) => ({
      contents: compile(readFileSync(args.path, "utf8"), { filename: args.path, generate: "client" }).js.code,
      loader: "js",
    }));
  },
};
mkdirSync(path.join(work, "livequery"), { recursive: true });
await tools("esbuild").build({
  entryPoints: [path.join(here, "ui.jsx")],
  outfile: path.join(work, "livequery/ui.js"),
  bundle: true,
  format: "esm",
  platform: "browser",
  jsx: "automatic",
  nodePaths: [path.join(root, ".ci/npm/node_modules")],
  define: { "process.env.NODE_ENV": '"development"' },
  plugins: [svelte],
  logLevel: "warning",
});
step(`UI bundle: svelte ${VERSION}, react ${tools("react/package.json").version}`);

const served = await serveDir(root);
const browser = await launchChromium();
const errors = [];
const context = await browser.newContext();
async function page(label) {
  const p = await context.newPage();
  p.on("console", (m) => console.log(`[${label}] ${m.text()}`));
  p.on("pageerror", (e) => errors.push(`${label}: ${e.message}`));
  const query = new URLSearchParams({ url, control });
  await p.goto(`${served.url}tests/runtimes/livequery/index.html?${query}`);
  await p.waitForFunction(() => window.__ready === true, null, { timeout: 30000 });
  return p;
}
try {
  const A = await page("A");
  console.log(await A.evaluate(() => t.tests()));
  step("the live query tests in Chromium");
  console.log(await A.evaluate(() => t.svelte()));
  step("Svelte 5 component");
  console.log(await A.evaluate(() => t.react()));
  step("React component (useSyncExternalStore, StrictMode)");

  // shared: true: the watches and queries of two pages go through one socket.
  const col = `shared_live_${Date.now().toString(36)}`;
  const B = await page("B");
  checkEq([await A.evaluate((c) => t.open(c), col), await B.evaluate((c) => t.open(c), col)], [true, true], "shared clients");
  checkEq((await stats()).connections, 1, "sockets for two pages");
  await waitFor("both live", async () => (await A.evaluate(() => t.state().status)) === "live" &&
    (await B.evaluate(() => t.state().status)) === "live");
  checkEq((await stats()).watches[col], 2, "watches at the server, one per page");
  await A.evaluate((c) => t.insert(c, 1), col);
  await waitFor("page B shows page A's insert", async () => (await B.evaluate(() => t.state().rows)).join() === "1");
  step("two pages with shared: true: one socket, a watch each; an insert in one shows in the other");
  await fetch(control + "/drop", { method: "POST" });
  await waitFor("both stale", async () => (await A.evaluate(() => t.state().status)) === "stale" &&
    (await B.evaluate(() => t.state().status)) === "stale", 5000);
  await waitFor("both live again", async () => (await A.evaluate(() => t.state().status)) === "live" &&
    (await B.evaluate(() => t.state().status)) === "live", 15000);
  await B.evaluate((c) => t.insert(c, 2), col);
  await waitFor("page A shows page B's insert", async () => (await A.evaluate(() => t.state().rows)).join() === "1,2");
  step("after a drop both go stale, then live, and follow the changes again");
  checkEq(await B.evaluate(() => t.close()), "closed", "page B's live query after close()");
  await waitFor("one watch left", async () => (await stats()).watches[col] === 1);
  await A.evaluate(() => t.disconnect());
  await waitFor("page A's live query closed by disconnect()", async () => (await A.evaluate(() => t.state().status)) === "closed");
  await waitFor("no watch left", async () => !(await stats()).watches[col]);
  step("close() in one page and disconnect() in the other remove their watches");
  check(errors.length === 0, "page errors: " + errors.join(" | "));
  console.log(`livequery: the live query tests, the Svelte ${VERSION} and React components and shared: true passed in Chromium ${await browser.version()}`);
} finally {
  await browser.close();
  await served.close();
}
