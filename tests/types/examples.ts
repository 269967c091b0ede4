// tests/js/examples.js (the README's examples) in TypeScript, importing the installed package,
// plus checks that the .d.ts describes options, events and messages (not `any`).
// Checked by `tsc --noEmit -p tsconfig.json` (bundler resolution: "types"/"import" -> web/) and
// `-p tsconfig.node.json` (nodenext: "node" -> node/index.d.mts).
import init, {
  Client,
  type ClientEvent,
  type ClientOptions,
  type ClientState,
  ClientError,
  type Document,
  type Workitem,
  type WorkItemQueue,
  type UpdateResult,
  type CallOptions,
  type QueueMessage,
  type QueueMessageOptions,
  type SigninResult,
  type LiveQuery,
  type LiveStatus,
  type ErrorKind,
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
    const kind: "Connecting" | "Connected" | "Disconnected" | "SignedIn" | "QueueRenamed" | "Tabs" | "SharedFallback" | "Error" = e.event;
    const reason: string = e.reason;
    void kind; void reason;
    // The union narrows on `event`: only QueueRenamed has old/new.
    if (e.event === "QueueRenamed") {
      const names: [string, string] = [e.old, e.new];
      void names;
    }
    // @ts-expect-error only QueueRenamed carries `old`
    if (e.event === "SignedIn") void e.old;
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
    if (e instanceof ClientError) {
      const code: number = e.code;
      if (e.kind === "Timeout") void code;
    }
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
  // @ts-expect-error npm's state is "Signedin", the event is "SignedIn"
  const wrongCase: "SignedIn" = client.get_state();
  void wrongCase;
}

// --- npm's names and units, per-call identity -------------------------------------------------
export async function npm_shapes(client: Client): Promise<void> {
  const as: CallOptions = { jwt: "user-token", traceid: "t", spanid: "s", timeout: 10 };
  const reply = await client.rpc<{ n: number }>({ queuename: "svc", data: { n: 1 }, ...as });
  const n: number = reply.n;
  const same: typeof client.rpc = client.rpc_async;
  client.set_default_timeout(30);
  const seconds: number = client.get_default_timeout();
  const user = client.get_user();
  const name: string | undefined = user?.username;
  client.set_agent_version("1.2.3");
  await client.reconnect();
  await client.unregister_queue("q", { jwt: "t" });
  void n; void same; void seconds; void name;
}

// --- the data API's shapes --------------------------------------------------------------------
interface Person extends Document { name: string; age: number; }
export async function data_shapes(client: Client): Promise<void> {
  const people: Person[] = await client.query<Person>({ collectionname: "people", query: { age: { $gt: 20 } }, top: 10, jwt: "t" });
  const one: Person | null = await client.get_one<Person>({ collectionname: "people", query: { name: "a" } });
  const docs: Document[] = await client.query({ collectionname: "x" });
  const id: string = docs[0]._id;
  const v: Person = await client.get_document_version<Person>({ id, version: 2 });
  const r: UpdateResult = await client.update_document({ collectionname: "people", query: {}, document: { $set: { a: 1 } } });
  const count: number = await client.count({ collectionname: "people" });
  await client.drop_collection("people", { jwt: "t" });
  await client.create_collection({ collectionname: "ts", timeseries: { time_field: "t" }, collation: { locale: "en", case_level: true } });
  const wi: Workitem<{ order: number }> = await client.push_workitem<{ order: number }>({ wiq: "q", name: "w", payload: { order: 1 } });
  const order: number = wi.payload.order;
  const next: Workitem | null = await client.pop_workitem({ wiq: "q" });
  const many: Workitem[] = await client.push_workitems({ wiq: "q", items: [{ name: "a" }, { name: "b" }] });
  const queue: WorkItemQueue = await client.add_workitem_queue({ workitemqueue: { name: "q2", maxretries: 3 } });
  await client.delete_workitem_queue({ wiq: "q2", purge: true });
  const instance: string = await client.create_workflow_instance({ workflowid: "wf" });
  const result: unknown = await client.invoke_openrpa({ robotid: "robot", workflowid: "wf", payload: { a: 1 }, timeout: 30 });
  const pods: unknown[] = await client.get_agent_pods("agent1", true);
  const file = await client.download({ id: "f" });
  const bytes: Uint8Array = file.data;
  void people; void one; void v; void r; void count; void order; void next; void many; void queue; void instance; void result; void pods; void bytes;
  // @ts-expect-error query needs a collectionname
  await client.query({ query: {} });
  // @ts-expect-error results are typed: a Person has no `salary`
  void people[0].salary.toFixed();
  // @ts-expect-error push_workitem needs a name
  await client.push_workitem({ wiq: "q" });
}

// --- a connection shared by the tabs of an origin (tests/js/readme/shared.js) -------------------
export async function shared_shapes(url: string): Promise<void> {
  const client = new Client({ url, shared: true });
  const isShared: boolean = client.shared;
  client.on_client_event((e) => {
    // Only Tabs carries `count`.
    if (e.event === "Tabs") {
      const count: number = e.count;
      void count;
    }
    // @ts-expect-error only Tabs carries `count`
    if (e.event === "SignedIn") void e.count;
  });
  await client.connect();
  // @ts-expect-error `shared` is read-only: set it in the options
  client.shared = true;
  // @ts-expect-error `shared` is a boolean
  new Client({ shared: "yes" });
  void isShared;
}

// --- a live query (README "Live queries") --------------------------------------------------------
interface Order { _id: string; name: string; state: "new" | "done" }
/** The shape of React's useSyncExternalStore and of a Svelte store, to check live queries fit them. */
declare function useSyncExternalStore<T>(subscribe: (onStoreChange: () => void) => () => void, getSnapshot: () => T): T;
interface Readable<T> { subscribe(this: void, run: (value: T) => void, invalidate?: () => void): () => void }

export async function live_shapes(client: Client): Promise<void> {
  const live: LiveQuery<Order> = client.live_query<Order>({ collectionname: "orders", query: { state: "new" }, top: 20 });
  const rows: readonly Order[] = live.rows;
  const status: LiveStatus = live.status;
  const unsubscribe: () => void = live.subscribe((r) => void r[0]?.name.toUpperCase());
  unsubscribe();
  const same: readonly Order[] = useSyncExternalStore(live.subscribe, () => live.rows);
  const store: Readable<readonly Order[]> = live;
  for await (const snapshot of live) {
    const first: Order | undefined = snapshot[0];
    void first;
    break;
  }
  if (live.error) {
    const kind: ErrorKind = live.error.kind;
    void kind;
  }
  const closed: Promise<void> = live.close();
  {
    using scoped = client.live_query({ collectionname: "orders", signal: AbortSignal.timeout(1000) });
    void scoped.rows[0]?._id;
  }
  void rows; void status; void same; void store; void closed;
  // @ts-expect-error the rows are read-only
  live.rows.push(rows[0]);
  // @ts-expect-error not a status: an error closes the live query and sets `error`
  if (live.status === "error") return;
  // @ts-expect-error live_query needs a collectionname
  client.live_query({ query: {} });
}
