// Code as an npm `openiap` user writes it: the calls, option objects and units the npm client
// documents (its `*_async` methods; `timeout` and `set_default_timeout` in seconds;
// `get_state()` strings; `ClientError`). Only the import line differs from code that runs on
// npm `openiap`, where it reads `const { Client, ClientError } = require("openiap");`.
import { Client, ClientError } from "openiap-wasm";

export async function port(url) {
  const client = new Client();
  client.set_default_timeout(10);
  const events = [];
  const eventid = client.on_client_event((event) => events.push(event.event));
  await client.connect_async(url);
  if (client.get_state() !== "Signedin") throw new Error("state " + client.get_state());

  const queuename = await client.register_queue_async({ queuename: "" }, async (event) => {
    return { echoed: event.data, queue: event.queuename };
  });
  const reply = await client.rpc_async({ queuename, data: { hello: "world" }, striptoken: true, timeout: 5 });
  if (reply.echoed.hello !== "world") throw new Error("rpc reply " + JSON.stringify(reply));
  await client.queue_message({ queuename, data: { fire: "and forget" }, striptoken: true });

  const collectionname = "port_" + Math.random().toString(36).slice(2, 8);
  await client.create_collection_async({ collectionname });
  const item = await client.insert_one_async({ collectionname, item: { name: "ported", _type: "test" } });
  await client.insert_many_async({ collectionname, items: [{ name: "a" }, { name: "b" }] });
  const docs = await client.query_async({ collectionname, query: { _type: "test" }, top: 10 });
  const count = await client.count_async({ collectionname, query: {} });
  const names = await client.distinct_async({ collectionname, field: "name" });
  await client.update_one_async({ collectionname, item: { ...item, name: "renamed" } });
  await client.insert_or_update_one_async({ collectionname, item: { name: "c" }, uniqeness: "name" });
  const deleted = await client.delete_one_async({ collectionname, id: item._id });
  await client.delete_many_async({ collectionname, query: { name: "a" } });
  const collections = await client.list_collections_async(false);
  if (docs.length !== 1 || count !== 3 || names.length !== 3 || deleted !== 1) {
    throw new Error("data " + JSON.stringify({ docs, count, names, deleted }));
  }
  if (!collections.some((c) => c.name === collectionname)) throw new Error("list_collections");

  const changes = [];
  const watchid = await client.watch_async({ collectionname, paths: [] }, (event) => changes.push(event.operation));
  await client.insert_one_async({ collectionname, item: { name: "watched" } });
  for (let i = 0; i < 100 && changes.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  client.unwatch(watchid);
  await client.drop_collection_async(collectionname);

  const wiq = "portq_" + Math.random().toString(36).slice(2, 8);
  await client.push_workitem_async({ wiq, name: "job", payload: { a: 1 } });
  const workitem = await client.pop_workitem_async({ wiq });
  workitem.state = "successful";
  const done = await client.update_workitem_async({ workitem });
  const whoami = await client.custom_command_async({ command: "whoami", timeout: 5 });

  let timedout = null;
  try {
    await client.rpc_async({ queuename: "nobody.listens", data: {}, timeout: 1 });
  } catch (e) {
    if (e instanceof ClientError) timedout = e;
  }
  client.off_client_event(eventid);
  client.disconnect();
  if (changes[0] !== "insert" || done.state !== "successful" || !whoami.username || !timedout) {
    throw new Error("rest " + JSON.stringify({ changes, state: done.state, whoami, timedout: !!timedout }));
  }
  if (!events.includes("SignedIn") || client.get_state() !== "Disconnected") throw new Error("events " + events);
  return "npm-style port: connect_async, register_queue_async, rpc_async (timeout in s), queue_message, " +
    "collections, documents, watch_async, work items, custom_command_async, ClientError: ok";
}
