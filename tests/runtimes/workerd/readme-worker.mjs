import { Client } from "openiap-wasm";

// One transient call per request. OPENIAP_URL is a secret (wss://user:password@host):
// `npx wrangler secret put OPENIAP_URL`.
export default {
  async fetch(request, env) {
    const client = new Client({ url: env.OPENIAP_URL });
    try {
      await client.connect();
      const reply = await client.rpc({ queuename: "echo", data: { hello: "world" }, timeout: 5 });
      return Response.json(reply);
    } finally {
      client.disconnect();
    }
  },
};
