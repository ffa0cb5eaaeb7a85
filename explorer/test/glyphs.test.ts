// The glyph generator (explorer/glyphs/): SDF values around real DejaVu Sans outlines, and the PBF MapLibre reads.
import { readFileSync } from "node:fs";
import opentype from "opentype.js";
import { PbfReader } from "pbf";
import { describe, expect, it } from "vitest";
import { encodeGlyphRange, LABEL_FONT_FILE, LABEL_FONT_STACK } from "../glyphs/generate.ts";
import { flatten, GLYPH_BUFFER, type SdfGlyph, sdfGlyph } from "../glyphs/sdf.ts";

const bytes = readFileSync(LABEL_FONT_FILE);
const font = opentype.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
/** MapLibre's text shader draws a pixel as glyph from this value up. */
const EDGE = 192;

function glyph(ch: string): SdfGlyph {
  const g = sdfGlyph(font, ch.codePointAt(0) as number);
  if (!g) throw new Error(`no glyph for ${ch}`);
  return g;
}

/** Value at a pixel of the glyph box (its outline box, without the border). */
function at(g: SdfGlyph, x: number, y: number): number {
  return g.bitmap[(y + GLYPH_BUFFER) * (g.width + 2 * GLYPH_BUFFER) + x + GLYPH_BUFFER] as number;
}

describe("SDF glyphs", () => {
  it("H at 24 px: cap-height box, inside its stems and bar, outside between them and in the border", () => {
    const h = glyph("H");
    expect(h.height).toBeGreaterThanOrEqual(17);
    expect(h.height).toBeLessThanOrEqual(19);
    expect(h.advance).toBe(Math.round((1540 / 2048) * 24)); // DejaVu Sans: H advances 1540 of 2048 units
    expect(h.bitmap.length).toBe((h.width + 6) * (h.height + 6));
    const mid = Math.floor(h.height / 2);
    expect(at(h, 1, 2)).toBeGreaterThan(EDGE); // left stem
    expect(at(h, h.width - 2, 2)).toBeGreaterThan(EDGE); // right stem
    expect(at(h, Math.floor(h.width / 2), 2)).toBeLessThan(EDGE); // between the stems, above the bar
    expect(at(h, Math.floor(h.width / 2), mid)).toBeGreaterThan(EDGE); // the bar
    expect(h.bitmap[0]).toBeLessThan(100); // the border's corner: over 3 px away
    // Capitals stand on the baseline: top = the glyph's height above it less the ascender (fontnik's convention).
    expect(h.top).toBe(h.height - Math.round((font.ascender / font.unitsPerEm) * 24));
  });

  it("O: the counter is outside (non-zero winding of the two contours), the ring inside", () => {
    const o = glyph("O");
    const cy = Math.floor(o.height / 2);
    expect(at(o, Math.floor(o.width / 2), cy)).toBeLessThan(EDGE);
    expect(at(o, 1, cy)).toBeGreaterThan(EDGE);
  });

  it("space has an advance and no bitmap; a character the font lacks has no glyph", () => {
    const space = glyph(" ");
    expect(space.bitmap.length).toBe(0);
    expect(space.advance).toBeGreaterThan(0);
    expect(sdfGlyph(font, 0xe000)).toBeNull();
  });

  it("flattens an outline into closed straight segments", () => {
    const square = flatten([
      { type: "M", x: 0, y: 0 },
      { type: "L", x: 10, y: 0 },
      { type: "L", x: 10, y: 10 },
      { type: "L", x: 0, y: 10 },
    ]);
    expect(square).toEqual([
      [0, 0, 10, 0],
      [10, 0, 10, 10],
      [10, 10, 0, 10],
      [0, 10, 0, 0],
    ]);
    const curve = flatten([{ type: "M", x: 0, y: 0 }, { type: "Q", x1: 5, y1: 10, x: 10, y: 0 }, { type: "Z" }]);
    expect(curve.length).toBeGreaterThan(4);
    expect(Math.max(...curve.map((s) => s[1]))).toBeCloseTo(5, 0); // the curve's apex, half way to its control
  });
});

describe("glyph PBF", () => {
  it("holds the font stack, the range and each glyph's fields, as MapLibre's parser reads them", () => {
    const glyphs = [glyph("L"), glyph("x")];
    const pbf = new PbfReader(encodeGlyphRange(LABEL_FONT_STACK, 0, glyphs));
    type Stack = { name: string; range: string; glyphs: SdfGlyph[] };
    const readGlyph = (tag: number, g: SdfGlyph, p: PbfReader) => {
      if (tag === 1) g.id = p.readVarint();
      else if (tag === 2) g.bitmap = p.readBytes();
      else if (tag === 3) g.width = p.readVarint();
      else if (tag === 4) g.height = p.readVarint();
      else if (tag === 5) g.left = p.readSVarint();
      else if (tag === 6) g.top = p.readSVarint();
      else if (tag === 7) g.advance = p.readVarint();
    };
    const readStack = (tag: number, s: Stack, p: PbfReader) => {
      if (tag === 1) s.name = p.readString();
      else if (tag === 2) s.range = p.readString();
      else if (tag === 3) s.glyphs.push(p.readMessage(readGlyph, {} as SdfGlyph));
    };
    const stacks = pbf.readFields((tag, out: Stack[], p) => {
      if (tag === 1) out.push(p.readMessage(readStack, { name: "", range: "", glyphs: [] }));
    }, []);
    expect(stacks).toHaveLength(1);
    expect(stacks[0]).toMatchObject({ name: "DejaVu Sans", range: "0-255" });
    expect(stacks[0]?.glyphs.map((g) => ({ ...g, bitmap: [...g.bitmap] }))).toEqual(
      glyphs.map((g) => ({ ...g, bitmap: [...g.bitmap] })),
    );
  });
});
