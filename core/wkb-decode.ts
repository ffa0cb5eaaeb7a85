// Minimal (E)WKB decoder for what cosmo stores (Point, Polygon, MultiPolygon, 2D), used to read geometries back
// from PostGIS exactly (datasets in the importer, repaired boundaries in the extractor): ST_AsGeoJSON rounds
// coordinates, WKB keeps every bit of the doubles.

export type DecodedGeometry =
  | { type: "Point"; coordinates: [number, number] }
  | { type: "Polygon"; coordinates: [number, number][][] }
  | { type: "MultiPolygon"; coordinates: [number, number][][][] };

export function decodeWkb(input: Buffer | string): DecodedGeometry {
  const buf = typeof input === "string" ? Buffer.from(input, "hex") : input;
  let o = 0;
  const header = (): { type: number; le: boolean } => {
    const le = buf[o] === 1;
    let type = le ? buf.readUInt32LE(o + 1) : buf.readUInt32BE(o + 1);
    o += 5;
    if (type & 0x20000000) o += 4; // SRID
    type &= 0x0fffffff;
    if (type & 0xc0000000 || type > 1000) throw new Error(`unsupported WKB type ${type} (only 2D geometries)`);
    return { type, le };
  };
  const u32 = (le: boolean) => {
    const v = le ? buf.readUInt32LE(o) : buf.readUInt32BE(o);
    o += 4;
    return v;
  };
  const f64 = (le: boolean) => {
    const v = le ? buf.readDoubleLE(o) : buf.readDoubleBE(o);
    o += 8;
    return v;
  };
  const rings = (le: boolean): [number, number][][] => {
    const n = u32(le);
    const out: [number, number][][] = [];
    for (let i = 0; i < n; i++) {
      const m = u32(le);
      const ring: [number, number][] = new Array(m);
      for (let k = 0; k < m; k++) ring[k] = [f64(le), f64(le)];
      out.push(ring);
    }
    return out;
  };
  const { type, le } = header();
  if (type === 1) return { type: "Point", coordinates: [f64(le), f64(le)] };
  if (type === 3) return { type: "Polygon", coordinates: rings(le) };
  if (type === 6) {
    const n = u32(le);
    const polys: [number, number][][][] = [];
    for (let i = 0; i < n; i++) {
      const h = header();
      if (h.type !== 3) throw new Error(`MultiPolygon member of WKB type ${h.type}`);
      polys.push(rings(h.le));
    }
    return { type: "MultiPolygon", coordinates: polys };
  }
  throw new Error(`unsupported WKB type ${type}`);
}
