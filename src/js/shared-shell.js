// `new Client({ shared: true })` in the package's browser builds (web/, browser/, bundler/; the
// glue does `Client = shareable(Client, ClientError, () => import("./shared.js"))` after client.js's
// `extend`): where SharedWorker exists, the constructor returns a *shell*, an object of the class
// whose methods wait for shared.js, which then replaces them with ones that talk to the package's
// SharedWorker (docs/design.md, "Shared connection"). Elsewhere the wasm constructor runs as usual.
// Nothing here runs at import time but defining functions.

// Methods that answer at once (client.js's SYNC): before shared.js is loaded they are kept for it
// (`early`). Its "constructor" and "queue" are not among the forwarded names.
import { SYNC } from "./client.js";

/** A subclass of `Client` whose `new Client({ shared: true })` shares one connection between tabs. */
export function shareable(Client, ClientError, load) {
  const proto = Client.prototype;
  // The methods a shared client forwards (`queue` and `live_query` run in the tab on top of them,
  // `shared` and `transport` are getters).
  const names = Object.getOwnPropertyNames(proto).filter((n) => !["constructor", "queue", "live_query", "reconnect", "shared", "transport"].includes(n));
  return class Client extends proto.constructor {
    constructor(options) {
      let shared = false, http = false;
      try {
        shared = !!options && options.shared === true;
        // A shared connection is a WebSocket: POST /api/v2 keeps nothing open to share.
        http = /^\s*https?:/i.test(options.url) && options.framing !== "grpc-web";
      } catch {
        // Unreadable options (a throwing getter or Proxy): the wasm constructor reports them.
      }
      if (!(shared && typeof SharedWorker === "function")) {
        super(options);
        return;
      }
      if (http) throw new ClientError("shared: true needs a wss:// URL: POST /api/v2 keeps no connection to share", "NotSupported");
      // Returning an object from a constructor makes `new` give it instead of `this`.
      const c = Object.create(new.target.prototype, { transport: { value: "websocket" } }), early = [];
      const ready = load().then((m) => m.attach(c, options, early, ClientError, proto.constructor));
      for (const n of names) {
        c[n] = SYNC.has(n)
          ? (...a) => (early.push([n, a]), n === "get_state" ? "Disconnected" : n === "on_client_event" ? early.length : null)
          : (...a) => ready.then(() => c[n](...a));
      }
      return c;
    }
  };
}
