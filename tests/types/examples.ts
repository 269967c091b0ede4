// tests/js/examples.js (the README's examples) in TypeScript, importing the installed package,
// plus checks that the .d.ts describes options, events and messages (not `any`).
// Checked by `tsc --noEmit -p tsconfig.json` (bundler resolution: "types"/"import" -> web/) and
// `-p tsconfig.node.json` (nodenext: "node" -> node/index.d.mts).
import init, {
  Client,
  type ClientEvent,
  type ClientOptions,
  type ClientState,
  type OpenIapError,
  type QueueMessage,
  type QueueMessageOptions,
  type SigninResult,
} from "openiap-wasm";

// --- transient: connect, do one thing, disconnect --------------------------------------------
export async function transient(url: string): Promise<unknown> {
  await init();
  const client = new Client({ url });            // url may carry user:password@
  try {
    await client.connect();                      // rejects with a ClientError if it cannot
    return await client.rpc({ queuename: "echo", data: { hello: "world" }, timeout: 5 });
  } finally {
    client.disconnect();                         // nothing keeps running afterwards
  }
}

// --- persistent: connect once, stay connected, keep receiving --------------------------------
export async function persistent(url: string, onMessage: (data: unknown) => void): Promise<Client> {
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

// --- the shapes are typed ---------------------------------------------------------------------
export async function shapes(): Promise<void> {
  const options: ClientOptions = {
    url: "wss://example.invalid",
    get_token: async () => "jwt",
    reconnect: { initial_ms: 500, max_ms: 30000, max_attempts: 10 },
    framing: "grpc-web",
  };
  const client = new Client(options);
  new Client().free();                       // options are optional
  const connected: void = await client.connect("wss://other.invalid");
  void connected;
  const id: number = client.on_client_event((e: ClientEvent) => {
    const kind: "Connecting" | "Connected" | "Disconnected" | "SignedIn" | "QueueRenamed" | "Error" = e.event;
    const reason: string = e.reason;
    void kind; void reason;
  });
  client.off_client_event(id);
  const state: ClientState = client.get_state();
  const q: string = await client.register_queue("", (m: QueueMessage) => {
    const parts: string[] = [m.queuename, m.correlation_id, m.replyto, m.routingkey, m.exchangename];
    return { got: parts, user: m.user?.username };
  });
  const msg: QueueMessageOptions = { queuename: q, data: "text", striptoken: true, expiration: 1000 };
  await client.queue_message(msg);
  const signed: SigninResult = await client.signin({ username: "u", password: "p" });
  const jwt: string = signed.jwt;
  try {
    await client.rpc({ exchangename: "x", routingkey: "k", data: { n: 1 } });
  } catch (e) {
    const err = e as OpenIapError;
    const code: number = err.code;
    if (err.kind === "Timeout") void code;
  }
  void state; void jwt;

  // Wrong shapes are errors:
  // @ts-expect-error url is a string
  new Client({ url: 1 });
  // @ts-expect-error unknown framing
  new Client({ framing: "grpc" });
  // @ts-expect-error reconnect takes numbers
  new Client({ reconnect: { initial_ms: "fast" } });
  client.on_client_event((e) => {
    // @ts-expect-error not an event name
    if (e.event === "Reconnected") return;
  });
  await client.register_queue("q", (m) => {
    // @ts-expect-error queuename is a string
    const n: number = m.queuename;
    return n;
  });
  // @ts-expect-error signin takes an object
  await client.signin("user");
  // @ts-expect-error state is one of four strings
  const bad: "Open" = client.get_state();
  void bad;
}
