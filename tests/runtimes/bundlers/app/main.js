// Test page of the bundler tests: runs the README's example (app.js, the two import lines and one
// rpc) against the test server given as ?url=, and reports to window.__result = {ok, text}.
// With ?shared the page instead offers `window.t` to run the README's shared-connection example
// (shared-example.js, a copy of tests/js/readme/shared.js) as bundled by the tool; run.mjs opens
// two such pages of one origin.
import { echo } from "./app.js";
import { Client } from "openiap-wasm";
import { sharedClient } from "./shared-example.js";

const params = new URLSearchParams(location.search);
const url = params.get("url");
if (params.has("shared")) {
  // Every event of the client from its construction on (SharedFallback comes during connect()).
  class Seen extends Client {
    constructor(options) {
      super(options);
      this.on_client_event((e) => t.events.push(e));
    }
  }
  const t = {
    events: [],
    got: [],
    client: null,
    async start() {
      const { client, queuename } = await sharedClient(Seen, url, (data) => {
        t.got.push(data);
        return { echo: data };
      });
      t.client = client;
      return { shared: client.shared, state: client.get_state(), queuename };
    },
  };
  window.t = t;
  window.__result = { ok: true, text: "shared page ready" };
} else {
  echo(url).then(
    (reply) => { window.__result = { ok: true, text: JSON.stringify(reply) }; },
    (e) => { window.__result = { ok: false, text: `${e && e.name}: ${e && e.message}` }; },
  );
}
