// The README's Svelte and React components (tests/js/readme/LiveTable.*), bundled for the page by
// run.mjs: esbuild with a plugin that compiles .svelte files with svelte/compiler. React runs in
// development mode under StrictMode, which subscribes, unsubscribes and subscribes again.
import { flushSync, mount, unmount } from "svelte";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { renderToString } from "react-dom/server";
import SvelteTable from "../../js/readme/LiveTable.svelte";
import { LiveTable } from "../../js/readme/LiveTable.jsx";

/** Mounts the Svelte component on `target`; returns the function that unmounts it. */
export function mountSvelte(target, live) {
  const component = mount(SvelteTable, { target, props: { live } });
  flushSync();
  return () => unmount(component);
}

/** The React component rendered to HTML, as a server renders it. */
export const reactHtml = (live) => renderToString(<LiveTable live={live} />);

/** Renders the React component into `target`; returns the function that unmounts it. */
export function mountReact(target, live) {
  const root = createRoot(target);
  root.render(<StrictMode><LiveTable live={live} /></StrictMode>);
  return () => root.unmount();
}
