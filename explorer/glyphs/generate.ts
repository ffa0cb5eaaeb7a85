// The map's glyphs, made at build time: every character of the label font (DejaVu Sans from Debian's
// fonts-dejavu-core, installed by `make init`) as SDF glyph PBFs under dist/fonts/<font stack>/<start>-<end>.pbf,
// the files a MapLibre style's `glyphs` URL points to. Served with the explorer (also in static mode), so the names
// on the map need no glyph service. Every 256-character range of the BMP gets a file, empty or not: MapLibre asks
// for the range of each character of a label, and a 404 would be an error on the page.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import opentype from "opentype.js";
import { PbfWriter } from "pbf";
import { CosmoError, EXIT } from "../../core/errors.ts";
import { type SdfGlyph, sdfGlyph } from "./sdf.ts";

/** Override with COSMO_LABEL_FONT (any TrueType/OpenType file); the font stack name is its family name. */
export const LABEL_FONT_FILE = process.env.COSMO_LABEL_FONT ?? "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
/** The font stack the style asks for (explorer/src/style.ts uses the same name). */
export const LABEL_FONT_STACK = "DejaVu Sans";
const LAST_CODE_POINT = 0xffff;

function writeGlyph(g: SdfGlyph, pbf: PbfWriter): void {
  pbf.writeVarintField(1, g.id);
  if (g.bitmap.length) pbf.writeBytesField(2, g.bitmap);
  pbf.writeVarintField(3, g.width);
  pbf.writeVarintField(4, g.height);
  pbf.writeSVarintField(5, g.left);
  pbf.writeSVarintField(6, g.top);
  pbf.writeVarintField(7, g.advance);
}

/** One glyph PBF (the `glyphs` → `fontstack` → `glyph` messages MapLibre decodes). */
export function encodeGlyphRange(fontStack: string, start: number, glyphs: SdfGlyph[]): Uint8Array {
  const pbf = new PbfWriter();
  pbf.writeMessage(
    1,
    (_: unknown, p: PbfWriter) => {
      p.writeStringField(1, fontStack);
      p.writeStringField(2, `${start}-${start + 255}`);
      for (const g of glyphs) p.writeMessage(3, writeGlyph, g);
    },
    null,
  );
  return pbf.finish();
}

/** Writes `<outDir>/<LABEL_FONT_STACK>/<start>-<end>.pbf` for the whole BMP; returns the number of glyphs. */
export function generateGlyphs(outDir: string, fontFile = LABEL_FONT_FILE): number {
  if (!existsSync(fontFile))
    throw new CosmoError(
      `label font ${fontFile} not found: run \`make init\` (apt package fonts-dejavu-core) or set COSMO_LABEL_FONT`,
      { exitCode: EXIT.config },
    );
  const bytes = readFileSync(fontFile);
  let font: ReturnType<typeof opentype.parse>;
  try {
    font = opentype.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  } catch (err) {
    throw new CosmoError(`label font ${fontFile} cannot be read: ${(err as Error).message}`, {
      exitCode: EXIT.config,
    });
  }
  const dir = join(outDir, LABEL_FONT_STACK);
  mkdirSync(dir, { recursive: true });
  let count = 0;
  for (let start = 0; start <= LAST_CODE_POINT; start += 256) {
    const glyphs: SdfGlyph[] = [];
    for (let cp = start; cp < start + 256; cp++) {
      const g = sdfGlyph(font, cp);
      if (g) glyphs.push(g);
    }
    count += glyphs.length;
    writeFileSync(join(dir, `${start}-${start + 255}.pbf`), encodeGlyphRange(LABEL_FONT_STACK, start, glyphs));
  }
  return count;
}
