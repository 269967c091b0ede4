export function httpScenario(Client: unknown, url: string, control: string, tag: string, browser?: boolean): Promise<string>;
