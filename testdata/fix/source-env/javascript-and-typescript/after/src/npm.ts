export const npmToken: string = process.env.NPM_TOKEN!;
const re = /[a-z]+\/x/g;
export function token(): string { return npmToken; }
