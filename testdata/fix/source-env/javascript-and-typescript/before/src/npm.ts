export const npmToken: string = "npm_FAKEfakeFAKEfake0123456789abcdefABCD";
const re = /[a-z]+\/x/g;
export function token(): string { return npmToken; }
