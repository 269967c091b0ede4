// Static server of the demo page: www/ at /, pkg/ at /pkg/, and a generated /config.json that
// tells the page which OpenIAP server to use. Binds 127.0.0.1 only. No dependencies.
//
//   node .ci/demo-serve.mjs
//   env: DEMO_PORT      port (default 8080; if it is taken, a free port; 0 = a free port)
//        DEMO_WS_URL    OpenIAP server the page connects to (e.g. the test server's ws URL)
//        DEMO_CONTROL_URL  the test server's control URL ("" for a real server: no fault buttons)
//        DEMO_USER, DEMO_PASSWORD  prefilled credentials (the test server's default user)
// Prints one line once listening:  DEMO http://127.0.0.1:PORT/
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

// Credentials in DEMO_WS_URL (wss://user:pass@host) go to the form's fields, not its URL field.
const userinfo = /^([a-z][a-z0-9+.-]*:\/\/)([^/@]*)@(.*)$/i.exec(process.env.DEMO_WS_URL || "");
const [urlUser, ...urlPass] = userinfo ? userinfo[2].split(":") : [""];
const unescape = (s) => { try { return decodeURIComponent(s); } catch { return s; } };
const config = {
  url: userinfo ? userinfo[1] + userinfo[3] : process.env.DEMO_WS_URL || "",
  control: process.env.DEMO_CONTROL_URL || "",
  username: unescape(urlUser) || process.env.DEMO_USER || "",
  password: unescape(urlPass.join(":")) || process.env.DEMO_PASSWORD || "",
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

const server = http.createServer((req, res) => {
  if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "text/plain", "method not allowed\n");
  let urlPath;
  try {
    urlPath = decodeURIComponent(new URL(req.url, "http://x").pathname);
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
server.once("listening", () => console.log(`DEMO http://127.0.0.1:${server.address().port}/`));

const envPort = process.env.DEMO_PORT;
listen(envPort === undefined || envPort === "" ? 8080 : Number(envPort));
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => process.exit(0));
