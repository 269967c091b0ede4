import { Client } from "openiap-wasm";

// One transient call per request, over HTTPS: connect() sends nothing and the query is one POST
// to OpenFlow's /api/v2 with the JWT as its bearer token. OPENIAP_URL (https://host) and
// OPENIAP_JWT (a long-lived token: signin({ username, password, longtoken: true })) are secrets:
// `npx wrangler secret put OPENIAP_URL`, `npx wrangler secret put OPENIAP_JWT`.
export default {
  async fetch(request, env) {
    const client = new Client({ url: env.OPENIAP_URL, jwt: env.OPENIAP_JWT });
    try {
      await client.connect();
      const open = await client.query({ collectionname: "orders", query: { status: "open" }, top: 10 });
      return Response.json(open.map((order) => order.name));
    } finally {
      client.disconnect();
    }
  },
};
