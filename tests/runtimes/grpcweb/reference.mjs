// The reference gRPC-web client: @improbable-eng/grpc-web (pinned in .ci/npm) with its
// WebsocketTransport, carrying openiap.Envelope messages that protobufjs builds from our
// proto/*.proto files (a request/response type only needs serializeBinary()/deserializeBinary(),
// so protobufjs stands in for generated code). Nothing here comes from openiap-wasm.
// Node 20 needs --experimental-websocket: the transport uses the global WebSocket.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../../..");
const tools = createRequire(path.join(root, ".ci/npm/package.json"));
/** The reference library itself (`grpc.client`, `grpc.WebsocketTransport`, `grpc.Code`). */
export const { grpc } = tools("@improbable-eng/grpc-web");
const protobuf = tools("protobufjs");

/** `{name, version}` of the reference, for the test's output. */
export const referenceVersion = tools("@improbable-eng/grpc-web/package.json").version;

// Our .proto files; google/protobuf/*.proto come with protobufjs.
const types = new protobuf.Root();
types.resolvePath = (_origin, target) =>
  target.startsWith("google/") || path.isAbsolute(target) ? target : path.join(root, "proto", target);
types.loadSync(["base.proto"], { keepCase: true });

/** A protobufjs type of the `openiap` package, e.g. `type("SigninRequest")`. */
export const type = (name) => types.lookupType("openiap." + name);
const Envelope = type("Envelope");

/** The bytes of `openiap.<name>` with `fields`, as an `Any` for `Envelope.data`. */
export function any(name, fields) {
  const t = type(name);
  return { type_url: "type.googleapis.com/openiap." + name, value: t.encode(t.fromObject(fields)).finish() };
}

/** Decodes the `Any` of an envelope as `openiap.<name>` (plain object, defaults left out). */
export function unpack(name, data) {
  const t = type(name);
  return t.toObject(t.decode(data ? data.value : new Uint8Array()));
}

/** An Envelope in the shape grpc-web wants: serializeBinary() / static deserializeBinary(). */
export class EnvelopeMessage {
  constructor(fields) { this.fields = fields; }
  serializeBinary() { return Envelope.encode(Envelope.fromObject(this.fields)).finish(); }
  static deserializeBinary(bytes) { return Envelope.toObject(Envelope.decode(bytes)); }
  /** The same fields as `bytes` (an encoded Envelope), to be encoded again by protobufjs. */
  static fromBytes(bytes) { return new EnvelopeMessage(Envelope.toObject(Envelope.decode(bytes))); }
}

/** The bidi method `openiap.FlowService/SetupStream` as grpc-web describes methods. */
export const SetupStream = {
  methodName: "SetupStream",
  service: { serviceName: "openiap.FlowService" },
  requestStream: true,
  responseStream: true,
  requestType: EnvelopeMessage,
  responseType: EnvelopeMessage,
};

/**
 * Opens SetupStream at `host` (`http://127.0.0.1:PORT`) through the reference's WebsocketTransport.
 * Returns the grpc-web client (start() already called) plus `ended`, a promise of
 * `{code, message, trailers}` from its onEnd, and `headers`, a promise of the response headers.
 */
export function openStream(host, onMessage) {
  const client = grpc.client(SetupStream, { host, transport: grpc.WebsocketTransport() });
  const headers = new Promise((resolve) => client.onHeaders(resolve));
  const ended = new Promise((resolve) => client.onEnd((code, message, trailers) => resolve({ code, message, trailers })));
  client.onMessage(onMessage);
  client.start();
  return { client, headers, ended };
}
