// The `grpcweb` runtime test: our gRPC-web framing against @improbable-eng/grpc-web, three ways
// (each file says how): the reference against the test server, our client and the reference side
// by side on the wire, and the fixed bytes of tests/grpc_web_reference.rs.
// Usage: node --experimental-websocket grpcweb/test.mjs ws://user:pass@127.0.0.1:PORT
import path from "node:path";
import { fileURLToPath } from "node:url";
import { againstServer } from "./against-server.mjs";
import { sideBySide } from "./side-by-side.mjs";
import { checkConstants } from "./fixed-bytes.mjs";
import { referenceVersion } from "./reference.mjs";

const rustFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../grpc_web_reference.rs");
const url = process.argv[2];
console.log("reference against the test server: " + await againstServer(url));
console.log("side by side: " + await sideBySide(url));
console.log("fixed bytes: " + await checkConstants(rustFile));
console.log(`grpc-web: reference against the test server, side by side, fixed bytes ok (@improbable-eng/grpc-web ${referenceVersion})`);
