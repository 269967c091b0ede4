// The HTTP transport (`POST /api/v2`): in every build but the messaging-only one.

export interface ClientOptions {
  /**
   * Over HTTP with a JWT, `connect()` checks the token with one `signin` POST and rejects
   * (`kind: "Signin"`) if the server refuses it. Without it `connect()` sends nothing, and a refused
   * token rejects the first call instead.
   */
  validate?: boolean;
}

export interface Client {
  /** `"http"` when each request is one `POST /api/v2` (an `http(s)://` URL), `"websocket"` otherwise. */
  readonly transport: "http" | "websocket";
}

export interface DebugCounts {
  /** HTTP transport: fetches in flight. */
  fetches: number;
}
