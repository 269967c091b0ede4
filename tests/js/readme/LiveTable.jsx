import { useSyncExternalStore } from "react";

// The rows of a live query (`client.live_query(...)`), kept current. When the component
// unmounts, its last unsubscribe closes the live query. (The third argument is what server
// rendering shows.)
export function LiveTable({ live }) {
  const rows = useSyncExternalStore(live.subscribe, () => live.rows, () => live.rows);
  const status = useSyncExternalStore(live.subscribe, () => live.status, () => live.status);
  return (
    <>
      <p className="status">{status}</p>
      <ul>
        {rows.map((row) => <li key={row._id}>{row.name}</li>)}
      </ul>
    </>
  );
}
