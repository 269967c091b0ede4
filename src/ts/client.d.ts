/** Connection state, as `get_state()` reports it: npm `openiap`'s names (`Signedin` with a lower-case i; the event is `SignedIn`). */
export type ClientState = "Disconnected" | "Connecting" | "Connected" | "Signedin";

/**
 * Settings every request accepts, in its options object or as a trailing argument where the
 * method's arguments are positional. They apply to that request only.
 */
export interface CallOptions {
  /** Timeout in seconds, as in npm `openiap` (0 or negative: the default). */
  timeout?: number;
  /** Timeout in milliseconds (wins over `timeout`). */
  timeout_ms?: number;
  /** A JWT for this request only (e.g. the dashboard user's); never shown in events, errors or logs. */
  jwt?: string;
  /** OpenTelemetry trace id for this request. */
  traceid?: string;
  /** OpenTelemetry span id for this request. */
  spanid?: string;
  /**
   * Cancels the request: the promise rejects with the signal's reason (a `DOMException` named
   * `AbortError`, or `TimeoutError` for `AbortSignal.timeout()`) and the client stops waiting for it.
   * A request already sent may still have reached the server.
   */
  signal?: AbortSignal;
}

/**
 * The messages of a queue, or the changes of a watch, for `for await`. `break` (or `return()`)
 * unregisters. Messages wait in a buffer while the loop is busy: `buffer` of them (default 1000);
 * when it is full the oldest is dropped and counted in `dropped`.
 */
export interface MessageStream<T> extends AsyncIterableIterator<T> {
  /** The queue name or watch id, once registered (rejects if the registration fails). */
  readonly name: Promise<string>;
  /** Messages dropped because the buffer was full. */
  readonly dropped: number;
  return(): Promise<IteratorReturnResult<undefined>>;
}

/** Options of `queue()` and of `watch()` without a callback. */
export interface StreamOptions {
  /** How many messages wait while the loop is busy (default 1000); beyond that the oldest is dropped. */
  buffer?: number;
}

/** Options of `new Client(options)`. Every field is optional. */
export interface ClientOptions {
  /** Server URL, e.g. `wss://app.openiap.io` (path defaults to `/ws/v2`). `user:password@` is used to sign in and never shown. */
  url?: string;
  username?: string;
  password?: string;
  /** JWT to sign in with; replaced by the server's `refreshtoken`. */
  jwt?: string;
  /** Called before every sign-in (first connect and each reconnect); returns a JWT. */
  get_token?: () => string | Promise<string>;
  /** Agent name sent at sign-in (default `"browser"`). */
  agent?: string;
  /** Default request timeout in milliseconds (default 30000). */
  timeout_ms?: number;
  /** Time a socket may take to open, in milliseconds (default 10000). */
  connect_timeout_ms?: number;
  /** Silence before a liveness probe, in milliseconds (default 30000; 0 disables). */
  heartbeat_ms?: number;
  /** Time the probe has to be answered, in milliseconds (default 10000). */
  heartbeat_timeout_ms?: number;
  /** Reconnect backoff: each delay uniform in the upper half of a ceiling from `initial_ms` (500) doubling to `max_ms` (30000); `max_attempts` unlimited by default. */
  reconnect?: { initial_ms?: number; max_ms?: number; max_attempts?: number };
  /** `"openiap"` (default, `/ws/v2`) or `"grpc-web"` (a gRPC-web WebSocket gateway). */
  framing?: "openiap" | "grpc-web";
  /** Register queues, exchanges and watches again after a reconnect (default true). */
  auto_reregister?: boolean;
  /** Requests that may wait while reconnecting (default 1024). */
  outbox_limit?: number;
  /** Largest envelope accepted from the server, in bytes (default 16 MiB). */
  max_frame_bytes?: number;
  /**
   * Sign in over `ws://` to a host that is not this machine without the warning: by default the
   * first such sign-in raises an `Error` event, since anyone on the network path can read the
   * credentials.
   */
  allow_insecure?: boolean;
  /**
   * Share one connection with every tab of this origin that uses the same URL and credentials:
   * the connection runs in a SharedWorker that the package ships. Where `SharedWorker` is missing
   * (Web Workers, Node, Deno, Bun, Cloudflare Workers, Chrome for Android), the client opens a
   * connection of its own and `client.shared` is false; so does a tab whose worker cannot be
   * started (a bundler that did not ship its script), with a `SharedFallback` event. The first
   * tab's other options apply to the shared connection.
   */
  shared?: boolean;
}

/** A connection attempt started. */
export interface ConnectingEvent { event: "Connecting"; reason: ""; }
/** The socket is open and the server answered. */
export interface ConnectedEvent { event: "Connected"; reason: ""; }
/** Signed in (again, after every reconnect). */
export interface SignedInEvent { event: "SignedIn"; reason: ""; }
/** The connection is gone. `reason` never contains credentials. */
export interface DisconnectedEvent { event: "Disconnected"; reason: string; }
/** After a reconnect the server gave a temporary queue a new name; the callback follows it. */
export interface QueueRenamedEvent { event: "QueueRenamed"; reason: ""; old: string; new: string; }
/** A shared client (`shared: true`): how many tabs use the shared connection now. */
export interface TabsEvent { event: "Tabs"; reason: ""; count: number; }
/**
 * A shared client (`shared: true`) whose SharedWorker could not be started (its script did not
 * load, or it did not answer within 5 s): this tab has a connection of its own from now on and
 * `client.shared` is false. Once per client, during `connect()`; `reason` says why, never with
 * credentials.
 */
export interface SharedFallbackEvent { event: "SharedFallback"; reason: string; }
/** Something failed outside any request (a callback threw, a queue could not be registered again, ...). */
export interface ClientErrorEvent { event: "Error"; reason: string; }
/** An event given to `on_client_event` handlers, keyed on `event`. */
export type ClientEvent =
  | ConnectingEvent
  | ConnectedEvent
  | SignedInEvent
  | DisconnectedEvent
  | QueueRenamedEvent
  | TabsEvent
  | SharedFallbackEvent
  | ClientErrorEvent;

/** A message given to a queue callback. `T` is the type of `data` you expect. */
export interface QueueMessage<T = unknown> {
  queuename: string;
  correlation_id: string;
  replyto: string;
  routingkey: string;
  exchangename: string;
  /** JSON-parsed when the payload is JSON, else the string. */
  data: T;
  /** The sender's token and user, when the sender did not strip them. */
  jwt?: string;
  user?: User;
}

/** A change given to a watch callback. */
export interface WatchEvent<T = unknown> {
  id: string;
  operation: string;
  document: T;
}

/** Options of `watch()`. */
export interface WatchOptions extends CallOptions {
  collectionname: string;
  paths?: string[];
}

/** Options of `queue_message()` and `rpc()`. */
export interface QueueMessageOptions extends CallOptions {
  queuename?: string;
  exchangename?: string;
  routingkey?: string;
  replyto?: string;
  correlation_id?: string;
  /** Any JSON value or a string. */
  data?: unknown;
  /** Do not add the sender's `__jwt`/`__user` to the message. */
  striptoken?: boolean;
  /** Milliseconds the message may wait for a consumer. */
  expiration?: number;
}

/** Options of `register_queue()` given as an object. */
export interface RegisterQueueOptions extends CallOptions {
  /** The queue; empty or absent for a temporary queue. */
  queuename?: string;
}

/** Options of `register_exchange()`. */
export interface ExchangeOptions extends CallOptions {
  exchangename: string;
  algorithm?: "fanout" | "direct" | "topic" | "header";
  routingkey?: string;
  addqueue?: boolean;
}

/** Options of `signin()`. `jwt` here is the token to sign in with. */
export interface SigninOptions extends Omit<CallOptions, "jwt"> {
  username?: string;
  password?: string;
  jwt?: string;
  agent?: string;
  version?: string;
  /** Ask for a long-lived token. */
  longtoken?: boolean;
  /** Check the credentials without changing the connection's user. */
  validateonly?: boolean;
  ping?: boolean;
}

/** A user, as sign-in returns it. */
export interface User {
  _id: string;
  name: string;
  username: string;
  email: string;
  roles: { _id: string; name: string }[];
}

/** What `signin()` resolves to (npm `openiap`'s `{success, jwt, error}`, plus the user). */
export interface SigninResult {
  success: true;
  jwt: string;
  user: User | null;
  error: null;
}

/** Options of `invoke_openrpa()`. */
export interface InvokeOpenRpaOptions extends CallOptions {
  /** The robot's queue. */
  robotid: string;
  workflowid: string;
  /** The workflow's arguments. */
  payload?: unknown;
  /** Wait for the workflow's result (default true). */
  rpc?: boolean;
}

/** What `debug_counts()` returns: everything the client holds, for leak checks. */
export interface DebugCounts {
  promises: number; callbacks: number; handlers: number; timers: number; sockets: number; listeners: number;
  in_flight: number; outbox: number; registrations: number; rpc_calls: number; upload_streams: number; upload_sources: number;
}

/** The kinds of `ClientError`. */
export type ErrorKind =
  | "Disconnected" | "Timeout" | "Server" | "Signin" | "NotConnected" | "ConnectFailed"
  | "InvalidArgument" | "Protocol" | "OutboxFull" | "GaveUp" | "Cancelled" | "NotSupported"
  | "RateLimited";

/** The error every promise of the client rejects with (as in npm `openiap`, `instanceof ClientError` works). */
export class ClientError extends Error {
  constructor(message: string, kind?: ErrorKind, code?: number);
  name: "ClientError";
  /** What went wrong; stable across versions. */
  kind: ErrorKind;
  /** The server's error code, or 0. */
  code: number;
}

/** An OpenIAP client. Create it with options, `connect()`, use it, `disconnect()`. */
export class Client {
  /** Creates a client. Nothing connects until `connect()`. */
  constructor(options?: ClientOptions);
  /** True when the connection is shared with other tabs through a SharedWorker (`shared: true`
   * where SharedWorker exists); false for a connection of this client's own. */
  readonly shared: boolean;
  /** Releases the client: disconnects, and nothing of it runs afterwards. */
  free(): void;
  /** `using client = new Client(...)` frees it at the end of the scope. */
  [Symbol.dispose](): void;
  /**
   * Connects and signs in. Resolves once signed in (or connected as guest); rejects with a
   * `ClientError` if the first connection or sign-in fails, and then nothing retries. After one
   * success the client reconnects by itself until `disconnect()`.
   */
  connect(url?: string): Promise<void>;
  /** Closes the connection, cancels every timer and listener and rejects what is pending. */
  disconnect(): void;
  /** Connects again now: after `disconnect()`, or skipping the wait before the next attempt. */
  reconnect(): Promise<void>;
  /** Signs in with `{username, password}` or `{jwt}`. */
  signin(options: SigninOptions): Promise<SigninResult>;
  /** Adds an event handler; returns its id. Every handler gets every event, in order. */
  on_client_event(callback: (event: ClientEvent) => void): number;
  /** Removes an event handler; true if it existed. */
  off_client_event(id: number): boolean;
  /**
   * Registers a queue (empty name: a temporary queue) and resolves to its name. The callback gets
   * every message; a value it returns (or resolves) is sent to `replyto`.
   */
  register_queue<T = unknown>(queue: string | RegisterQueueOptions, callback: (message: QueueMessage<T>) => unknown): Promise<string>;
  /** Registers an exchange and resolves to the name of the queue bound to it. */
  register_exchange<T = unknown>(options: ExchangeOptions, callback: (message: QueueMessage<T>) => unknown): Promise<string>;
  /** Stops consuming a queue. */
  unregister_queue(queuename: string, options?: CallOptions): Promise<void>;
  /** Watches a collection; resolves to the watch id. */
  watch<T = unknown>(options: WatchOptions, callback: (event: WatchEvent<T>) => void): Promise<string>;
  /** Without a callback: the changes as an async iterable (`for await`). */
  watch<T = unknown>(options: WatchOptions & StreamOptions): MessageStream<WatchEvent<T>>;
  /** The messages of a queue (`""`: a temporary one) as an async iterable (`for await`). */
  queue<T = unknown>(queue: string | RegisterQueueOptions, options?: StreamOptions & CallOptions): MessageStream<QueueMessage<T>>;
  /** Stops a watch. */
  unwatch(id: string, options?: CallOptions): Promise<void>;
  /** Sends a message to a queue or exchange. */
  queue_message(options: QueueMessageOptions): Promise<void>;
  /** Sends a message and resolves to the reply's `data` (JSON-parsed). Any number at once. */
  rpc<T = unknown>(options: QueueMessageOptions): Promise<T>;
  /** Runs an OpenRPA workflow on a robot and resolves to its result (null with `rpc: false`). */
  invoke_openrpa<T = unknown>(options: InvokeOpenRpaOptions): Promise<T | null>;
  /** The connection state. */
  get_state(): ClientState;
  /** The signed-in user, or null. */
  get_user(): User | null;
  /** Sets the default request timeout, in seconds (npm `openiap`'s unit). */
  set_default_timeout(seconds: number): void;
  /** The default request timeout, in seconds. */
  get_default_timeout(): number;
  /** Sets the agent name sent at the next sign-in. */
  set_agent_name(name: string): void;
  /** Sets the client version sent at the next sign-in. */
  set_agent_version(version: string): void;
  /** Counts of what the client holds, for leak checks; `null` once freed. */
  debug_counts(): DebugCounts | null;
  // npm `openiap`'s `*_async` names: the same promise methods.
  connect_async: Client["connect"];
  signin_async: Client["signin"];
  register_queue_async: Client["register_queue"];
  watch_async: Client["watch"];
  rpc_async: Client["rpc"];
  invoke_openrpa_async: Client["invoke_openrpa"];
  register_exchange_async: Client["register_exchange"];
  unregister_queue_async: Client["unregister_queue"];
  queue_message_async: Client["queue_message"];
  unwatch_async: Client["unwatch"];
  reconnect_async: Client["reconnect"];
}
