//! TypeScript declarations of the option, event and message shapes, added to the generated .d.ts.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Connection state. */
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
  /** Default request timeout (default 30000 ms). */
  timeout_ms?: number;
  /** Time a socket may take to open (default 10000 ms). */
  connect_timeout_ms?: number;
  /** Silence before a liveness probe (default 30000 ms; 0 disables). */
  heartbeat_ms?: number;
  /** Time the probe has to be answered (default 10000 ms). */
  heartbeat_timeout_ms?: number;
  /** Reconnect backoff: each delay uniform in the upper half of a ceiling from `initial_ms` (500) doubling to `max_ms` (30000); `max_attempts` unlimited by default. */
  reconnect?: { initial_ms?: number; max_ms?: number; max_attempts?: number };
  /** `"openiap"` (default, `/ws/v2`) or `"grpc-web"` (a gRPC-web WebSocket gateway). */
  framing?: "openiap" | "grpc-web";
  /** Register queues, exchanges and watches again after a reconnect (default true). */
  auto_reregister?: boolean;
  /** Requests that may wait while reconnecting (default 1024). */
  outbox_limit?: number;
  /** Largest envelope accepted from the server (default 16 MiB). */
  max_frame_bytes?: number;
}

/** An event given to `on_client_event` handlers. */
export interface ClientEvent {
  event: "Connecting" | "Connected" | "Disconnected" | "SignedIn" | "QueueRenamed" | "Error";
  /** Why (for Disconnected and Error); empty otherwise. Never contains credentials. */
  reason: string;
  /** QueueRenamed: the old and the new queue name. */
  old?: string;
  new?: string;
}

/** A message given to a queue callback. */
export interface QueueMessage {
  queuename: string;
  correlation_id: string;
  replyto: string;
  routingkey: string;
  exchangename: string;
  /** JSON-parsed when the payload is JSON, else the string. */
  data: any;
  /** The sender's token and user, when the sender did not strip them. */
  jwt?: string;
  user?: User;
}

/** A change given to a watch callback. */
export interface WatchEvent {
  id: string;
  operation: string;
  document: any;
}

export interface QueueMessageOptions {
  queuename?: string;
  exchangename?: string;
  routingkey?: string;
  replyto?: string;
  correlation_id?: string;
  /** Any JSON value or a string. */
  data?: any;
  /** Do not add the sender's `__jwt`/`__user` to the message. */
  striptoken?: boolean;
  /** Milliseconds the message may wait for a consumer. */
  expiration?: number;
  /** Request timeout in milliseconds. */
  timeout?: number;
}

export interface ExchangeOptions {
  exchangename: string;
  algorithm?: "fanout" | "direct" | "topic" | "header";
  routingkey?: string;
  addqueue?: boolean;
}

export interface SigninOptions {
  username?: string;
  password?: string;
  jwt?: string;
  agent?: string;
  longtoken?: boolean;
  validateonly?: boolean;
}

export interface User {
  _id: string;
  name: string;
  username: string;
  email: string;
  roles: { _id: string; name: string }[];
}

export interface SigninResult {
  jwt: string;
  user: User | null;
}

/** Errors thrown or rejected by the client. */
export interface OpenIapError extends Error {
  name: "OpenIapError";
  kind: "Disconnected" | "Timeout" | "Server" | "Signin" | "NotConnected" | "ConnectFailed" | "InvalidArgument" | "Protocol" | "OutboxFull" | "GaveUp";
  /** The server's error code, or 0. */
  code: number;
}
"#;
