// Runs the npm-style port (port.js) in Deno against the test server.
// Usage: deno run --allow-read --allow-net=127.0.0.1 npm-port/deno.js ws://user:pass@127.0.0.1:PORT
import { port } from "./port.js";

console.log(`deno${Deno.version.deno}: ${await port(Deno.args[0])}`);
