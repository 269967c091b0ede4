export function scenario(Client: unknown, url: string, tag: string): Promise<string>;
