// Signed distance fields of font glyphs in the form MapLibre reads from glyph PBFs: the glyph drawn at 24 px,
// a 3 px border around it, each pixel 255 − 255·(distance/8 + 0.25) (distance in px, negative inside), so the
// outline sits at 192, the value MapLibre's text shader cuts at. Outlines come from opentype.js; curves are
// flattened and each pixel takes its distance to the nearest segment and its side from the non-zero winding rule
// (the fill rule of TrueType outlines).
import type { Font, PathCommand } from "opentype.js";

export const GLYPH_SIZE = 24;
export const GLYPH_BUFFER = 3;
const RADIUS = 8;
const CUTOFF = 0.25;
/** Straight pieces per quadratic / cubic curve: under a tenth of a pixel off at 24 px. */
const QUAD_STEPS = 6;
const CUBIC_STEPS = 10;

export interface SdfGlyph {
  id: number;
  /** (width + 6) × (height + 6) bytes; empty for a glyph without outline (space). */
  bitmap: Uint8Array;
  width: number;
  height: number;
  left: number;
  top: number;
  advance: number;
}

type Segment = [number, number, number, number];

/** Outline as straight segments, y down (opentype.js's path coordinates), baseline at y = 0. */
export function flatten(commands: PathCommand[]): Segment[] {
  const segments: Segment[] = [];
  let x = 0;
  let y = 0;
  let startX = 0;
  let startY = 0;
  const lineTo = (nx: number, ny: number) => {
    if (nx !== x || ny !== y) segments.push([x, y, nx, ny]);
    x = nx;
    y = ny;
  };
  for (const c of commands) {
    if (c.type === "M") {
      if (x !== startX || y !== startY) lineTo(startX, startY); // an open contour is closed, as a renderer fills it
      x = startX = c.x as number;
      y = startY = c.y as number;
    } else if (c.type === "L") lineTo(c.x as number, c.y as number);
    else if (c.type === "Q") {
      const [x0, y0] = [x, y];
      for (let i = 1; i <= QUAD_STEPS; i++) {
        const t = i / QUAD_STEPS;
        const u = 1 - t;
        lineTo(
          u * u * x0 + 2 * u * t * (c.x1 as number) + t * t * (c.x as number),
          u * u * y0 + 2 * u * t * (c.y1 as number) + t * t * (c.y as number),
        );
      }
    } else if (c.type === "C") {
      const [x0, y0] = [x, y];
      for (let i = 1; i <= CUBIC_STEPS; i++) {
        const t = i / CUBIC_STEPS;
        const u = 1 - t;
        const a = u * u * u;
        const b = 3 * u * u * t;
        const d = 3 * u * t * t;
        const e = t * t * t;
        lineTo(
          a * x0 + b * (c.x1 as number) + d * (c.x2 as number) + e * (c.x as number),
          a * y0 + b * (c.y1 as number) + d * (c.y2 as number) + e * (c.y as number),
        );
      }
    } else if (c.type === "Z") lineTo(startX, startY);
  }
  if (x !== startX || y !== startY) lineTo(startX, startY);
  return segments;
}

function distanceToSegment(px: number, py: number, [x0, y0, x1, y1]: Segment): number {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - x0) * dx + (py - y0) * dy) / len2));
  const ex = x0 + t * dx - px;
  const ey = y0 + t * dy - py;
  return Math.sqrt(ex * ex + ey * ey);
}

/** Non-zero winding number of the outline around a point. */
function winding(px: number, py: number, segments: Segment[]): number {
  let w = 0;
  for (const [x0, y0, x1, y1] of segments) {
    if (y0 <= py ? y1 > py : y1 <= py) {
      const cross = (x1 - x0) * (py - y0) - (px - x0) * (y1 - y0);
      if (y1 > y0 ? cross > 0 : cross < 0) w += y1 > y0 ? 1 : -1;
    }
  }
  return w;
}

/** The SDF glyph of one character (`codePoint`) of `font`, or null when the font has no glyph for it. */
export function sdfGlyph(font: Font, codePoint: number): SdfGlyph | null {
  const index = font.tables.cmap.glyphIndexMap[codePoint];
  if (index === undefined) return null;
  const glyph = font.glyphs.get(index);
  const scale = GLYPH_SIZE / font.unitsPerEm;
  const advance = Math.round((glyph.advanceWidth ?? 0) * scale);
  const segments = flatten(glyph.getPath(0, 0, GLYPH_SIZE).commands);
  const ascender = Math.round(font.ascender * scale);
  if (segments.length === 0)
    return { id: codePoint, bitmap: new Uint8Array(0), width: 0, height: 0, left: 0, top: -ascender, advance };
  let xMin = Number.POSITIVE_INFINITY;
  let yMin = Number.POSITIVE_INFINITY;
  let xMax = Number.NEGATIVE_INFINITY;
  let yMax = Number.NEGATIVE_INFINITY;
  for (const [x0, y0, x1, y1] of segments) {
    xMin = Math.min(xMin, x0, x1);
    xMax = Math.max(xMax, x0, x1);
    yMin = Math.min(yMin, y0, y1);
    yMax = Math.max(yMax, y0, y1);
  }
  const left = Math.floor(xMin);
  const top = Math.floor(yMin); // y down: the glyph's highest pixel row, negative above the baseline
  const width = Math.ceil(xMax) - left;
  const height = Math.ceil(yMax) - top;
  const w = width + 2 * GLYPH_BUFFER;
  const h = height + 2 * GLYPH_BUFFER;
  const bitmap = new Uint8Array(w * h);
  for (let j = 0; j < h; j++) {
    const py = top - GLYPH_BUFFER + j + 0.5;
    for (let i = 0; i < w; i++) {
      const px = left - GLYPH_BUFFER + i + 0.5;
      let d = Number.POSITIVE_INFINITY;
      for (const s of segments) d = Math.min(d, distanceToSegment(px, py, s));
      if (winding(px, py, segments) !== 0) d = -d;
      bitmap[j * w + i] = Math.max(0, Math.min(255, Math.round(255 - 255 * (d / RADIUS + CUTOFF))));
    }
  }
  // MapLibre's `top` is the glyph's top above the baseline less the font's ascender (the fontnik convention).
  return { id: codePoint, bitmap, width, height, left, top: -top - ascender, advance };
}
