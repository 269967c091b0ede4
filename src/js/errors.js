// The class of every error the client rejects with or throws, exported by the package so that
// `instanceof ClientError` works as in npm `openiap`. `kind` says what went wrong (stable across
// versions), `code` is the server's error code or 0. Messages never contain credentials.

export class ClientError extends Error {
  constructor(message, kind = "InvalidArgument", code = 0) {
    super(message);
    this.name = "ClientError";
    this.kind = kind;
    this.code = code;
  }
}

/** Called from wasm: a `ClientError`. */
export function client_error(message, kind, code) {
  return new ClientError(message, kind, code);
}
