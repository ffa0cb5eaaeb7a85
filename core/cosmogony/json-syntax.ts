// The bytes of JSON's syntax, for the readers that work on a zones file's bytes rather than on decoded text
// (json-scanner.ts, and the load's zone-text.ts and multipolygon-text.ts). Safe on UTF-8: every byte of a
// multi-byte character is >= 0x80, never one of these.

export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const COMMA = 0x2c;
export const COLON = 0x3a;
export const LBRACKET = 0x5b;
export const RBRACKET = 0x5d;
export const LBRACE = 0x7b;
export const RBRACE = 0x7d;

/** JSON whitespace: space, line feed, carriage return, tab. */
export function isJsonSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
