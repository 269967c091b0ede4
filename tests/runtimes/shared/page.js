// A page of the shared-connection test (run.mjs drives several of them): loads the installed
// package the way a plain `<script type="module">` page does, with no bundler, and offers
// `window.t` to the test. `?entry=web` picks the build that fetches its .wasm; `?no-shared-worker`
// removes SharedWorker first, as on Chrome for Android; `?no-locks` removes Web Locks (as outside
// secure contexts), so the tab pings its worker; `?pkg=/path/` loads the glue from that
// folder instead (a copy of the package whose worker script is broken).
import { sharedClient } from "../../js/readme/shared.js";

const params = new URLSearchParams(location.search);
if (params.has("no-shared-worker")) delete globalThis.SharedWorker;
if (params.has("no-locks")) delete Navigator.prototype.locks;
const dir = params.get("pkg") || `/runtimes/node_modules/openiap-wasm/${params.get("entry") || "browser"}/`;
const pkg = await import(`${dir}openiap_wasm.js`);
await pkg.default();

const t = {
  events: [],
  /** When each of `events` came (Date.now()). */
  times: [],
  got: [],
  client: null,
  queuename: "",
  /** Runs the README example; this tab's queue answers rpc with its tag. */
  async start(url, tag) {
    const { Client } = pkg;
    const { client, queuename } = await sharedClient(Client, url, (data) => {
      t.got.push(data);
      return { tag, echo: data };
    });
    client.on_client_event((e) => t.events.push(e) && t.times.push(Date.now()));
    t.client = client;
    t.queuename = queuename;
    return { shared: client.shared, state: client.get_state(), queuename, instance: client instanceof Client };
  },
  /** A client with its own handler from the start, to see the events of connect(). */
  async open(options) {
    const client = new pkg.Client(options);
    client.on_client_event((e) => t.events.push(e) && t.times.push(Date.now()));
    await client.connect();
    t.client = client;
    return { shared: client.shared, state: client.get_state() };
  },
  /** The name of this page's temporary queue now (after a reconnect the server renames it). */
  current() {
    let q = t.queuename;
    for (const e of t.events) if (e.event === "QueueRenamed" && e.old === q) q = e.new;
    return q;
  },
  /** How `promise` settles within `limit` ms: {outcome: "resolved"} or {name, kind, isClientError,
   * message}, or {outcome: "pending after <limit> ms"}; and after how many ms. */
  async settled(promise, limit = 5000) {
    const start = Date.now();
    const hung = new Promise((r) => setTimeout(() => r(`pending after ${limit} ms`), limit));
    const outcome = await Promise.race([t.rejection(promise, true), hung]);
    return { ...(typeof outcome === "string" ? { outcome } : outcome), ms: Date.now() - start };
  },
  async rejection(promise, withMessage = false) {
    try {
      await promise;
      return "resolved";
    } catch (e) {
      const r = { name: e.name, kind: e.kind, isClientError: e instanceof pkg.ClientError };
      return withMessage ? { ...r, message: e.message } : r;
    }
  },
};
window.t = t;
window.__ready = true;
