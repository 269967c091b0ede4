// Deno: the messaging-only build (`openiap-wasm/messaging`, the web build without the data API):
// loads, connects, registers a queue, gets an rpc reply, and has no data methods.
// Usage: deno run --allow-read --allow-net=127.0.0.1 deno/messaging.js ws://user:pass@127.0.0.1:PORT
import init, { Client, ClientError } from "openiap-wasm/messaging";

await init();
const client = new Client({ url: Deno.args[0] });
try {
  await client.connect();
  const q = await client.register_queue("", (msg) => ({ echoed: msg.data }));
  const reply = await client.rpc({ queuename: q, data: { n: 1 }, timeout: 5 });
  if (JSON.stringify(reply) !== JSON.stringify({ echoed: { n: 1 } })) throw new Error("rpc " + JSON.stringify(reply));
  const stream = client.queue("");
  await stream.name;
  await stream.return();
  if (typeof client.query === "function" || typeof client.upload === "function") {
    throw new Error("the messaging-only build has the data API");
  }
  const e = await client.rpc({ queuename: "", data: 1 }).catch((e) => e);
  if (!(e instanceof ClientError) || e.kind !== "InvalidArgument") throw new Error("error " + e);
} finally {
  client.disconnect();
}
console.log(`deno${Deno.version.deno}: openiap-wasm/messaging connects, rpcs, iterates; no data API`);
