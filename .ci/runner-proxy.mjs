// A forwarding HTTP proxy between headless Chromium and wasm-bindgen-test-runner, for the browser
// tests (`wasm-pack test`). Why: the runner's server (tiny_http 0.12) gives each browser connection a
// pool thread for as long as the connection stays open, and when Chromium opens several connections
// at once a race in that pool (`TaskPool::spawn` counts a woken thread as still waiting) can leave one
// connection with no thread at all. The page then waits for a module forever ("Timed out receiving
// message from renderer"), more often on a busy machine. Through this proxy every request reaches the
// runner on a connection of its own that closes after the response, so no runner thread is held by an
// idle browser connection and a queued one is picked up at once. WebSockets and other CONNECT
// tunnels (the test server) pass through untouched. Only loopback addresses are reached.
//
//   node .ci/runner-proxy.mjs webdriver.json OUT.json
// listens on a free loopback port, writes OUT.json: webdriver.json with Chromium told to use the proxy
// (also for loopback addresses), prints "ready" and runs until killed.
import http from "node:http";
import net from "node:net";
import { readFileSync, writeFileSync } from "node:fs";

const [webdriverIn, webdriverOut] = process.argv.slice(2);
if (!webdriverIn || !webdriverOut) {
  console.error("usage: node .ci/runner-proxy.mjs webdriver.json OUT.json");
  process.exit(2);
}
/** Only this machine: Chromium's own calls home (update checks, accounts) are refused. */
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);
const HOP = ["connection", "keep-alive", "proxy-connection", "proxy-authorization", "upgrade"];
const withoutHop = (headers) => Object.fromEntries(Object.entries(headers).filter(([k]) => !HOP.includes(k)));

const server = http.createServer((req, res) => {
  if (process.env.RUNNER_PROXY_LOG) console.log(req.method, req.url);
  let target;
  try {
    target = new URL(req.url);
  } catch {
    res.writeHead(400).end("absolute URL expected (this is a proxy)");
    return;
  }
  if (!LOOPBACK.has(target.hostname)) {
    res.writeHead(403).end("this proxy reaches only this machine");
    return;
  }
  const upstream = http.request({
    host: target.hostname, port: target.port || 80, path: target.pathname + target.search,
    method: req.method, headers: { ...withoutHop(req.headers), connection: "close" }, agent: false,
  }, (reply) => {
    res.writeHead(reply.statusCode, withoutHop(reply.headers));
    reply.pipe(res);
  });
  upstream.on("error", (e) => {
    if (!res.headersSent) res.writeHead(502);
    res.end(`proxy: ${e.message}`);
  });
  req.pipe(upstream);
});
server.on("connect", (req, socket, head) => {
  if (process.env.RUNNER_PROXY_LOG) console.log("CONNECT", req.url);
  const at = req.url.lastIndexOf(":");
  const host = req.url.slice(0, at);
  if (!LOOPBACK.has(host)) {
    socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
    return;
  }
  const upstream = net.connect(Number(req.url.slice(at + 1)), host.replace(/^\[|\]$/g, ""), () => {
    socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    if (head.length) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  upstream.on("error", () => socket.destroy());
  socket.on("error", () => upstream.destroy());
});
server.listen(0, "127.0.0.1", () => {
  const webdriver = JSON.parse(readFileSync(webdriverIn, "utf8"));
  const chrome = (webdriver["goog:chromeOptions"] ??= {});
  chrome.args = [...(chrome.args ?? []), `--proxy-server=http://127.0.0.1:${server.address().port}`,
    "--proxy-bypass-list=<-loopback>"];
  writeFileSync(webdriverOut, JSON.stringify(webdriver, null, 2) + "\n");
  console.log("ready");
});
