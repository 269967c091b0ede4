// A page of the shared-connection test (run.mjs drives several of them): loads the installed
// package the way a plain `<script type="module">` page does, with no bundler, and offers
// `window.t` to the test. `?entry=web` picks the build that fetches its .wasm; `?no-shared-worker`
// removes SharedWorker first, as on Chrome for Android; `?pkg=/path/` loads the glue from that
// folder instead (a copy of the package whose worker script is broken).
import { sharedClient } from "../../js/readme/shared.js";

const params = new URLSearchParams(location.search);
if (params.has("no-shared-worker")) delete globalThis.SharedWorker;
const dir = params.get("pkg") || `/runtimes/node_modules/openiap-wasm/${params.get("entry") || "browser"}/`;
const pkg = await import(`${dir}openiap_wasm.js`);
await pkg.default();

const t = {
  events: [],
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
    client.on_client_event((e) => t.events.push(e));
    t.client = client;
    t.queuename = queuename;
    return { shared: client.shared, state: client.get_state(), queuename, instance: client instanceof Client };
  },
  /** A client with its own handler from the start, to see the events of connect(). */
  async open(options) {
    const client = new pkg.Client(options);
    client.on_client_event((e) => t.events.push(e));
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
  async rejection(promise) {
    try {
      await promise;
      return "resolved";
    } catch (e) {
      return { name: e.name, kind: e.kind, isClientError: e instanceof pkg.ClientError };
    }
  },
};
window.t = t;
window.__ready = true;
