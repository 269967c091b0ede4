// One connection for every tab of the origin: the first tab opens it, later tabs join it.
export async function sharedClient(Client, url, onMessage) {
  const client = new Client({ url, shared: true });
  client.on_client_event((event) => {
    if (event.event === "Tabs") console.log(`shared connection: ${event.count} tabs`);
    if (event.event === "SharedFallback") console.warn(`own connection: ${event.reason}`);
  });
  await client.connect();       // a tab that joins a signed-in connection resolves at once
  console.log(client.shared ? "shared with the other tabs" : "own connection");
  // A temporary queue of this tab: its messages come to this tab only, and it goes with the tab.
  const queuename = await client.register_queue("", (msg) => onMessage(msg.data));
  return { client, queuename };
}
