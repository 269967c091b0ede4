// Cancel a request with an AbortSignal: it rejects with the signal's reason, a DOMException
// named "AbortError" ("TimeoutError" for AbortSignal.timeout()), and the client stops waiting.
export async function askWithin(client, queuename, ms) {
  try {
    return await client.rpc({ queuename, data: { question: 42 }, signal: AbortSignal.timeout(ms) });
  } catch (e) {
    if (e.name === "TimeoutError" || e.name === "AbortError") return "no answer in time";
    throw e;
  }
}
