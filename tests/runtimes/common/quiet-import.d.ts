export function quietImport<T>(load: () => Promise<T>): Promise<{ mod: T; fetched: boolean }>;
