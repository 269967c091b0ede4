/** Connection state, as `get_state()` reports it. */
export type ClientState = "Disconnected" | "Connecting" | "Connected" | "SignedIn";

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
/** Something failed outside any request (a callback threw, a queue could not be registered again, ...). */
export interface ClientErrorEvent { event: "Error"; reason: string; }
/** An event given to `on_client_event` handlers, keyed on `event`. */
export type ClientEvent =
  | ConnectingEvent
  | ConnectedEvent
  | SignedInEvent
  | DisconnectedEvent
  | QueueRenamedEvent
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
export interface WatchOptions {
  collectionname: string;
  paths?: string[];
}

/** Options of `queue_message()` and `rpc()`. */
export interface QueueMessageOptions {
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
  /** Request timeout in milliseconds. */
  timeout?: number;
}

/** Options of `register_exchange()`. */
export interface ExchangeOptions {
  exchangename: string;
  algorithm?: "fanout" | "direct" | "topic" | "header";
  routingkey?: string;
  addqueue?: boolean;
}

/** Options of `signin()`. */
export interface SigninOptions {
  username?: string;
  password?: string;
  jwt?: string;
  agent?: string;
  longtoken?: boolean;
  validateonly?: boolean;
}

/** A user, as sign-in returns it. */
export interface User {
  _id: string;
  name: string;
  username: string;
  email: string;
  roles: { _id: string; name: string }[];
}

/** What `signin()` resolves to. */
export interface SigninResult {
  jwt: string;
  user: User | null;
}

/** What `debug_counts()` returns: everything the client holds, for leak checks. */
export interface DebugCounts {
  promises: number; callbacks: number; handlers: number; timers: number; sockets: number; listeners: number;
  in_flight: number; outbox: number; registrations: number; rpc_calls: number; upload_streams: number; upload_sources: number;
}

/** The kinds of `OpenIapError`. */
export type ErrorKind =
  | "Disconnected" | "Timeout" | "Server" | "Signin" | "NotConnected" | "ConnectFailed"
  | "InvalidArgument" | "Protocol" | "OutboxFull" | "GaveUp";

/** Errors thrown or rejected by the client. */
export interface OpenIapError extends Error {
  name: "OpenIapError";
  kind: ErrorKind;
  /** The server's error code, or 0. */
  code: number;
}

/** An OpenIAP client. Create it with options, `connect()`, use it, `disconnect()`. */
export class Client {
  /** Creates a client. Nothing connects until `connect()`. */
  constructor(options?: ClientOptions);
  /** Releases the client: disconnects, and nothing of it runs afterwards. */
  free(): void;
  /** `using client = new Client(...)` frees it at the end of the scope. */
  [Symbol.dispose](): void;
  /**
   * Connects and signs in. Resolves once signed in (or connected as guest); rejects with an
   * `OpenIapError` if the first connection or sign-in fails, and then nothing retries. After one
   * success the client reconnects by itself until `disconnect()`.
   */
  connect(url?: string): Promise<void>;
  /** Closes the connection, cancels every timer and listener and rejects what is pending. */
  disconnect(): void;
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
  register_queue<T = unknown>(queue: string | { queuename?: string }, callback: (message: QueueMessage<T>) => unknown): Promise<string>;
  /** Registers an exchange and resolves to the name of the queue bound to it. */
  register_exchange<T = unknown>(options: ExchangeOptions, callback: (message: QueueMessage<T>) => unknown): Promise<string>;
  /** Stops consuming a queue. */
  unregister_queue(queuename: string): Promise<void>;
  /** Watches a collection; resolves to the watch id. */
  watch<T = unknown>(options: WatchOptions, callback: (event: WatchEvent<T>) => void): Promise<string>;
  /** Stops a watch. */
  unwatch(id: string): Promise<void>;
  /** Sends a message to a queue or exchange. */
  queue_message(options: QueueMessageOptions): Promise<void>;
  /** Sends a message and resolves to the reply's `data` (JSON-parsed). Any number at once. */
  rpc<T = unknown>(options: QueueMessageOptions, timeout_ms?: number): Promise<T>;
  /** The connection state. */
  get_state(): ClientState;
  /** Sets the default request timeout in milliseconds. */
  set_default_timeout(ms: number): void;
  /** Sets the agent name sent at the next sign-in. */
  set_agent_name(name: string): void;
  /** Counts of what the client holds, for leak checks; `null` once freed. */
  debug_counts(): DebugCounts | null;
}
