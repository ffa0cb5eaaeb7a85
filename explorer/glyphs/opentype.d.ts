// The part of opentype.js (which ships no type declarations) the glyph generator uses.
declare module "opentype.js" {
  export interface PathCommand {
    type: "M" | "L" | "Q" | "C" | "Z";
    x?: number;
    y?: number;
    x1?: number;
    y1?: number;
    x2?: number;
    y2?: number;
  }
  export interface Glyph {
    index: number;
    advanceWidth?: number;
    getPath(x: number, y: number, fontSize: number): { commands: PathCommand[] };
  }
  export interface Font {
    unitsPerEm: number;
    ascender: number;
    names: { fontFamily?: Record<string, string> };
    tables: { cmap: { glyphIndexMap: Record<string, number> } };
    glyphs: { get(index: number): Glyph };
  }
  // Node loads the package's CommonJS build: the functions are properties of its default export.
  const opentype: { parse(buffer: ArrayBuffer): Font };
  export default opentype;
}
