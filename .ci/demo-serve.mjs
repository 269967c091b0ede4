// Static server of the demo page: www/ at /, pkg/ at /pkg/, a generated /config.json that tells
// the page which OpenIAP server to use, and /control/* passed on to the test server's control port
// (so the page needs no CORS there). No dependencies.
//
//   node .ci/demo-serve.mjs
//   env: DEMO_PORT      port (default 8080; if it is taken, a free port; 0 = a free port)
//        DEMO_WS_URL    OpenIAP server the page connects to (e.g. the test server's ws URL)
//        DEMO_CONTROL_URL  the bundled test server's control URL ("" for a real server: no fault
//                       buttons, no password prefilled)
//        DEMO_USER, DEMO_PASSWORD  prefilled credentials; the password only with DEMO_CONTROL_URL
//                       (the bundled test user's), never a real server's
// Prints one line once listening:  DEMO http://127.0.0.1:PORT/
//
// Safe on a developer's machine: binds 127.0.0.1 only; answers only requests whose Host is
// 127.0.0.1:PORT or localhost:PORT (403 otherwise: a page of evil.example that rebinds its name to
// 127.0.0.1 sends Host: evil.example); /control/* only for the page's own origin; /config.json
// never holds a real server's password (one in DEMO_WS_URL is dropped: the page asks for it).
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const MOUNTS = [
  ["/pkg/", path.join(ROOT, "pkg")],
  ["/", path.join(ROOT, "www")],
];
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".ts": "text/plain; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

// A user in DEMO_WS_URL (wss://user:pass@host) goes to the form's user field; its password is dropped.
const userinfo = /^([a-z][a-z0-9+.-]*:\/\/)([^/@]*)@(.*)$/i.exec(process.env.DEMO_WS_URL || "");
const unescape = (s) => { try { return decodeURIComponent(s); } catch { return s; } };
const CONTROL = (process.env.DEMO_CONTROL_URL || "").replace(/\/+$/, "");
const config = {
  url: userinfo ? userinfo[1] + userinfo[3] : process.env.DEMO_WS_URL || "",
  control: CONTROL ? "/control" : "",
  username: (userinfo && unescape(userinfo[2].split(":")[0])) || process.env.DEMO_USER || "",
  password: CONTROL ? process.env.DEMO_PASSWORD || "" : "",
};

function send(res, status, type, body) {
  res.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" });
  res.end(body);
}

function resolve(urlPath) {
  for (const [prefix, dir] of MOUNTS) {
    if (!urlPath.startsWith(prefix)) continue;
    const rel = urlPath.slice(prefix.length) || "index.html";
    const file = path.resolve(dir, "." + path.sep + rel);
    if (file !== dir && !file.startsWith(dir + path.sep)) return null; // no ../ escapes
    return file;
  }
  return null;
}

/** True if the request comes from the page itself (or from no page: curl), not from another site. */
function sameOrigin(req) {
  const origin = req.headers.origin, site = req.headers["sec-fetch-site"];
  if (origin !== undefined && origin !== `http://${req.headers.host}`) return false;
  return site === undefined || site === "same-origin" || site === "none";
}

/** Passes /control/PATH?QUERY on to the test server's control port; the answer comes back as is. */
function proxyControl(req, res, rest) {
  if (!sameOrigin(req)) return send(res, 403, "text/plain", "forbidden: not the demo page\n");
  const up = http.request(CONTROL + rest, { method: req.method === "POST" ? "POST" : "GET" }, (r) => {
    res.writeHead(r.statusCode, { "Content-Type": r.headers["content-type"] || "text/plain", "Cache-Control": "no-store" });
    r.pipe(res);
  });
  up.on("error", (e) => send(res, 502, "text/plain", `test server unreachable: ${e.message}\n`));
  up.end();
}

let hosts = new Set();
const server = http.createServer((req, res) => {
  if (!hosts.has((req.headers.host || "").toLowerCase())) return send(res, 403, "text/plain", "forbidden: unknown Host\n");
  let url;
  try {
    url = new URL(req.url, "http://x");
  } catch {
    return send(res, 400, "text/plain", "bad path\n");
  }
  if (CONTROL && url.pathname.startsWith("/control/")) return proxyControl(req, res, url.pathname.slice(8) + url.search);
  if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "text/plain", "method not allowed\n");
  let urlPath;
  try {
    urlPath = decodeURIComponent(url.pathname);
  } catch {
    return send(res, 400, "text/plain", "bad path\n");
  }
  if (urlPath === "/config.json") return send(res, 200, "application/json", JSON.stringify(config));
  let file = resolve(urlPath);
  if (!file) return send(res, 404, "text/plain", "not found\n");
  fs.stat(file, (err, st) => {
    if (!err && st.isDirectory()) file = path.join(file, "index.html");
    fs.readFile(file, (err, body) => {
      if (err) return send(res, 404, "text/plain", "not found\n");
      send(res, 200, TYPES[path.extname(file)] || "application/octet-stream", req.method === "HEAD" ? "" : body);
    });
  });
});

function listen(port) {
  server.once("error", (e) => {
    if (e.code === "EADDRINUSE" && port !== 0) {
      console.error(`demo: port ${port} is taken, using a free port`);
      listen(0);
    } else {
      console.error("demo: " + e.message);
      process.exit(1);
    }
  });
  server.listen(port, "127.0.0.1");
}
server.once("listening", () => {
  const port = server.address().port;
  hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  console.log(`DEMO http://127.0.0.1:${port}/`);
});

const envPort = process.env.DEMO_PORT;
listen(envPort === undefined || envPort === "" ? 8080 : Number(envPort));
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => process.exit(0));
