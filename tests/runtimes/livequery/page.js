// A page of the live query test (run.mjs drives it): the installed package's browser build, loaded
// with no bundler, so that `shared: true` finds the package's SharedWorker. `window.t` runs the
// tests of tests/js/live_tests.js here, the README's Svelte and React components on a live query
// (ui.js, bundled by run.mjs) and the steps of the shared-connection check.
import * as pkg from "/tests/runtimes/node_modules/openiap-wasm/browser/openiap_wasm.js";
import * as ui from "/tests/runtimes/.work/livequery/ui.js";
import { runAll } from "./run-tests.js";
import { authUrl, control, waitFor } from "../../js/harness.js";

await pkg.default();
const { Client, ClientError } = pkg;
const params = new URLSearchParams(location.search);
const env = { url: params.get("url"), control: params.get("control"), Client, ClientError };
const fast = { reconnect: { initial_ms: 50, max_ms: 300 } };
const watches = async (col) => JSON.parse(await control(env, "/stats")).watches[col] || 0;
const text = (root, sel) => [...root.querySelectorAll(sel)].map((e) => e.textContent);

/** A component on a live query: rows and status follow inserts and a dropped connection, and
 * unmounting it (its last unsubscribe) closes the live query. */
async function component(name, mountIt) {
  const col = `ui_${name}_${Date.now().toString(36)}`;
  const reader = new Client({ url: authUrl(env), ...fast }), writer = new Client({ url: authUrl(env), ...fast });
  await reader.connect();
  await writer.connect();
  const root = document.body.appendChild(document.createElement("div"));
  const live = reader.live_query({ collectionname: col, orderby: { name: 1 } });
  const unmount = mountIt(root, live);
  const shows = (status, names) => waitFor(`${name} shows ${status} ${names}`,
    () => text(root, ".status").join() === status && text(root, "li").join() === names.join());
  await shows("live", []);
  await writer.insert_one({ collectionname: col, item: { name: "ann" } });
  await shows("live", ["ann"]);
  // The reconnect takes a few ms (initial_ms 50): "stale" may be on screen for less than one poll
  // of waitFor, so every status the component renders is recorded.
  const shown = [];
  const observer = new MutationObserver(() => shown.push(text(root, ".status").join()));
  observer.observe(root, { subtree: true, childList: true, characterData: true });
  await control(env, "/drop");
  await waitFor(`${name} shows stale`, () => shown.includes("stale"));
  observer.disconnect();
  await shows("live", ["ann"]);
  await waitFor("the writer back", () => writer.get_state() === "Signedin");
  await writer.insert_one({ collectionname: col, item: { name: "bob" } });
  await shows("live", ["ann", "bob"]);
  if (await watches(col) !== 1) throw new Error(`${name}: ${await watches(col)} watches while mounted`);
  if (name === "react" && !/<p class="status">live<\/p><ul><li>ann<\/li><li>bob<\/li><\/ul>/.test(ui.reactHtml(live))) {
    throw new Error("react-dom/server rendered " + ui.reactHtml(live));
  }
  unmount();
  await waitFor(`${name}: unmounting closes the live query`, async () => live.status === "closed" && (await watches(col)) === 0);
  root.remove();
  reader.disconnect();
  writer.disconnect();
  return `${name}: the README component showed inserts and stale/live${name === "react" ? ", react-dom/server the same rows" : ""}, and unmounting closed the live query`;
}

let shared = null;
window.t = {
  tests: () => runAll(env, "chromium", (line) => console.log(line)),
  svelte: () => component("svelte", ui.mountSvelte),
  react: () => component("react", ui.mountReact),
  /** A shared client and a live query on `col`. */
  async open(col) {
    const client = new Client({ url: authUrl(env), shared: true, ...fast });
    await client.connect();
    shared = { client, live: client.live_query({ collectionname: col, orderby: { n: 1 } }) };
    return client.shared;
  },
  insert: (col, n) => shared.client.insert_one({ collectionname: col, item: { n } }).then(() => true),
  state: () => ({ status: shared.live.status, rows: shared.live.rows.map((d) => d.n) }),
  close: () => shared.live.close().then(() => shared.live.status),
  disconnect: () => shared.client.disconnect(),
};
window.__ready = true;
