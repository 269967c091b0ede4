// The checks of `make test-live`, run the same way in Node and in Chromium against any OpenFlow
// server. Non-destructive: they touch only a temporary queue and a scratch collection that they
// create and drop again. Nothing here prints or returns the URL's credentials: a row's detail is
// the error's kind and message, which the client keeps free of them.

/** The rows of the table, in order. */
export const CHECKS = [
  "connect and sign in",
  "temporary queue",
  "queue_message to itself",
  "rpc to itself",
  "watch a scratch collection",
  "drop the scratch collection",
  "disconnect",
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitFor(what, cond, ms = 10000) {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(20)) if (cond()) return;
  throw new Error("nothing within " + ms / 1000 + " s: " + what);
}
function check(cond, what) { if (!cond) throw new Error(what); }

/**
 * Runs every check with the package's `Client` against `url` (ws[s]://user:password@host).
 * Resolves to `{[check]: {status: "PASS" | "FAIL" | "SKIP", detail, ms}}`; never rejects. A check
 * runs only when the checks it `needs` passed; `fn` may return `{skip: why}`.
 */
export async function liveChecks(Client, url) {
  const rows = {};
  const nonce = Math.random().toString(36).slice(2, 10);
  const run = async (name, needs, fn) => {
    const t0 = Date.now();
    const missing = needs.filter((n) => rows[n].status !== "PASS");
    if (missing.length) { rows[name] = { status: "SKIP", detail: "needs: " + missing.join(", "), ms: 0 }; return; }
    try {
      const result = await fn();
      rows[name] = result && result.skip ? { status: "SKIP", detail: result.skip } : { status: "PASS", detail: result || "" };
    } catch (e) {
      rows[name] = { status: "FAIL", detail: e && e.kind ? `${e.kind}: ${e.message}` : String(e && e.message || e) };
    }
    rows[name].ms = Date.now() - t0;
  };

  const client = new Client({ url, agent: "openiap-wasm-live", connect_timeout_ms: 15000 });
  const received = [];
  const changes = [];
  let queue = "", collection = "", watchId = "";
  await run(CHECKS[0], [], async () => {
    await client.connect();
    check(client.get_state() === "Signedin", "state after connect: " + client.get_state());
  });
  await run(CHECKS[1], [CHECKS[0]], async () => {
    queue = await client.register_queue({ queuename: "" }, (msg) => {
      received.push(msg.data);
      return msg.data && msg.data.ping ? { pong: msg.data.ping } : undefined;
    });
    check(typeof queue === "string" && queue.length > 0, "no queue name");
  });
  await run(CHECKS[2], [CHECKS[1]], async () => {
    await client.queue_message({ queuename: queue, data: { live: nonce }, striptoken: true });
    await waitFor("the message", () => received.some((d) => d && d.live === nonce));
  });
  await run(CHECKS[3], [CHECKS[1]], async () => {
    const reply = await client.rpc({ queuename: queue, data: { ping: nonce }, striptoken: true, timeout: 10 });
    check(reply && reply.pong === nonce, "reply " + JSON.stringify(reply));
  });
  await run(CHECKS[4], [CHECKS[0]], async () => {
    await client.create_collection({ collectionname: `openiap_wasm_live_${nonce}` });
    collection = `openiap_wasm_live_${nonce}`;
    watchId = await client.watch({ collectionname: collection, paths: [] }, (ev) => changes.push(ev));
    await client.insert_one({ collectionname: collection, item: { name: "openiap-wasm live check", nonce } });
    await waitFor("the watch event", () => changes.some((c) => c.document && c.document.nonce === nonce));
    return collection;
  });
  // Cleans up whatever was created, also after a failed watch check.
  await run(CHECKS[5], [CHECKS[0]], async () => {
    if (!collection) return { skip: "no scratch collection was created" };
    if (watchId) await client.unwatch(watchId);
    await client.drop_collection(collection);
    const left = await client.list_collections();
    check(!left.some((c) => c.name === collection), "the collection is still listed");
  });
  await run(CHECKS[6], [], async () => {
    client.disconnect();
    const counts = client.debug_counts();
    check(client.get_state() === "Disconnected", "state " + client.get_state());
    check(counts.sockets === 0 && counts.timers === 0 && counts.promises === 0, "still held: " + JSON.stringify(counts));
  });
  return rows;
}
