// A queue's messages as an async iterable: `break` unregisters the queue.
export async function firstMessages(client, queuename, count) {
  const got = [];
  for await (const msg of client.queue(queuename)) {
    got.push(msg.data);
    if (got.length === count) break;
  }
  return got;
}
