import init, { Client } from "openiap-wasm";
await init();

// One round trip: a queue that echoes what it gets, and an rpc to it.
export async function echo(url) {
  const client = new Client({ url });
  await client.connect();
  try {
    const queuename = await client.register_queue("", (msg) => msg.data);
    return await client.rpc({ queuename, data: { hello: "bundler" }, timeout: 5 });
  } finally {
    client.disconnect();
  }
}
