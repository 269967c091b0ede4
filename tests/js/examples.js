// The README's examples, run by the browser tests (tests/web.rs) against the test server.
// `Client` is the class from the package: `import init, { Client } from "openiap-wasm"`.

// --- transient: connect, do one thing, disconnect --------------------------------------------
export async function transient(Client, url) {
  const client = new Client({ url });            // url may carry user:password@
  try {
    await client.connect();                      // rejects with a ClientError if it cannot
    return await client.rpc({ queuename: "echo", data: { hello: "world" }, timeout: 5 });
  } finally {
    client.disconnect();                         // nothing keeps running afterwards
  }
}

// --- persistent: connect once, stay connected, keep receiving --------------------------------
export async function persistent(Client, url, onMessage) {
  const client = new Client({ url });
  client.on_client_event(async (event) => {
    console.log("openiap:", event.event, event.reason);
    if (event.event === "SignedIn") {
      // The official SDKs' pattern: (re)register inside SignedIn. Safe here: no duplicates.
      await client.register_queue({ queuename: "orders" }, (msg) => onMessage(msg.data));
    }
  });
  await client.connect();                        // afterwards it reconnects by itself
  return client;
}

// For the test harness: wasm-bindgen copies each JS module on its own, so tests/web.rs passes
// these functions to tests/js/client_tests.js instead of it importing this file.
export function examples() {
  return { transient, persistent };
}
