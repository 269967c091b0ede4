// A Cloudflare Worker that imports the package like user code does (exports "workerd"). It
// answers HTTP requests with OpenIAP calls over outbound WebSockets:
//   GET /transient?url=ws://...  the README's transient example: connect, rpc "echo", disconnect
//   GET /scenario?url=ws://...   the whole runtime scenario inside one request
//   GET /http?url=ws://...&control=http://...  the HTTP scenario (POST /api/v2) inside one request
// workerd rejects I/O, timers and random numbers in global scope, so loading this module at all
// proves the package does nothing at import time.
import init, { Client } from "openiap-wasm";
import { transient } from "../../js/examples.js";
import { scenario } from "../common/scenario.js";
import { httpScenario } from "../common/http-scenario.js";

export default {
  async fetch(request) {
    const { pathname, searchParams } = new URL(request.url);
    const url = searchParams.get("url");
    try {
      await init();                                     // already initialised: returns at once
      if (pathname === "/transient") return Response.json({ reply: await transient(Client, url) });
      if (pathname === "/scenario") return Response.json({ summary: await scenario(Client, url, "workerd") });
      if (pathname === "/http") {
        return Response.json({ summary: await httpScenario(Client, url, searchParams.get("control"), "workerd") });
      }
      return new Response("not found", { status: 404 });
    } catch (e) {
      return new Response(`${e && e.name}: ${e && e.message}\n${e && e.stack}`, { status: 500 });
    }
  },
};
