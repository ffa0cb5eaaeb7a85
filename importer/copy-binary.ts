// PostgreSQL binary COPY encoding (https://www.postgresql.org/docs/current/sql-copy.html, "Binary Format") of
// zone rows. Binary rather than text: geometries go as raw EWKB (text COPY would need hex, twice the bytes and
// a hex pass on both sides), and nothing needs escaping. Rows accumulate in one growing buffer handed to the
// COPY stream in ~1 MB pieces.
import type { Zone } from "../core/cosmogony/model.ts";
import { poisonRecycled } from "../core/cosmogony/recycled-buffers.ts";
import {
  BBOX_POLYGON_BYTES,
  flatMultiPolygonByteSize,
  multiPolygonByteSize,
  POINT_BYTES,
  SRID_WEB_MERCATOR,
  SRID_WGS84,
  writeBBoxPolygon,
  writeFlatMultiPolygon,
  writeMultiPolygon,
  writePoint,
} from "../core/geometry/ewkb.ts";
import type { FlatMultiPolygon } from "../core/geometry/flat.ts";

/** Column order of the COPY (the `zones` table of a version schema). */
export const COPY_COLUMNS = [
  "id",
  "osm_id",
  "admin_level",
  "zone_type",
  "name",
  "loc_name",
  "alt_name",
  "label",
  "international_labels",
  "zip_codes",
  "center",
  "bbox",
  "geom",
  "geom_4326",
  "tags",
  "center_tags",
  "parent",
  "wikidata",
  "is_generated",
  "country_code",
] as const;

const SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");
const HEADER_BYTES = SIGNATURE.length + 8;
const TEXT_OID = 25;
const FLUSH_AT = 1 << 20;
/**
 * Rows are written into slabs of this size and handed out as slices of them: one ArrayBuffer per ~8 chunks
 * rather than one per chunk (each new ArrayBuffer counts as external memory for V8, whose pressure forced a
 * full GC every few MB of output).
 */
const SLAB = 8 << 20;
/** Slabs kept for reuse at most (see recycle()). */
const SPARE_SLABS = 4;

export class BinaryCopyEncoder {
  private buf: Buffer;
  private view: DataView;
  /** Start of the bytes not handed out yet. */
  private start = 0;
  private pos = 0;
  /** Full slabs left behind, whose chunks the consumer may still be reading. */
  private retired: Buffer[] = [];
  /** Slabs whose chunks the consumer is done with (recycle()): written over before new ones are allocated. */
  private spare: Buffer[] = [];

  /**
   * @param header false for encoders of a slice of the stream (worker threads): the header is written once.
   * @param initial size of the first slab (the worker threads' encoders live for one batch).
   */
  constructor(header = true, initial = SLAB) {
    this.buf = Buffer.allocUnsafe(initial);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
    if (header) this.buf.set(BinaryCopyEncoder.header(), 0);
    this.pos = header ? HEADER_BYTES : 0;
  }

  /** Signature, flags and header-extension length that open a binary COPY stream. */
  static header(): Buffer {
    const h = Buffer.alloc(HEADER_BYTES);
    h.set(SIGNATURE, 0);
    return h; // flags and extension length: zero
  }

  /** The trailer that closes a binary COPY stream. */
  static trailer(): Buffer {
    return Buffer.from([0xff, 0xff]);
  }

  /** Bytes ready to send (a slice of the current slab), or null while under the flush size. */
  take(force = false): Buffer | null {
    const pending = this.pos - this.start;
    if (pending === 0 || (!force && pending < FLUSH_AT)) return null;
    const out = this.buf.subarray(this.start, this.pos);
    this.start = this.pos;
    return out;
  }

  /**
   * The consumer's word that it no longer reads any chunk take() or finish() returned so far (they were written
   * out): their slabs may be written over. Reusing slabs rather than allocating new ones spares the garbage
   * collections that external memory triggers (hundreds of MB per load). Without this call no slab is reused.
   * How long a view stays valid: core/cosmogony/recycled-buffers.ts.
   */
  recycle(): void {
    for (const slab of this.retired) {
      if (this.spare.length < SPARE_SLABS) {
        poisonRecycled(slab);
        this.spare.push(slab);
      }
    }
    this.retired.length = 0;
  }

  /** The trailer (-1 field count) plus whatever is pending. */
  finish(): Buffer {
    this.ensure(2);
    this.view.setInt16(this.pos, -1);
    this.pos += 2;
    return this.take(true) as Buffer;
  }

  /** `labels`: the international labels' JSON text when the parser kept it (zone-text.ts), else null. */
  addZone(z: Zone, flat: FlatMultiPolygon | null = null, labels: Buffer | null = null): void {
    this.ensure(2);
    this.view.setInt16(this.pos, COPY_COLUMNS.length);
    this.pos += 2;
    this.int8Field(z.id);
    this.textField(z.osm_id);
    this.int4Field(z.admin_level);
    this.textField(z.zone_type);
    this.textField(z.name);
    this.textField(z.loc_name);
    this.textField(z.alt_name);
    this.textField(z.label);
    if (labels) this.jsonbText(labels);
    else this.jsonbField(z.international_labels);
    this.textArrayField(z.zip_codes);
    if (z.center)
      this.geometryField(POINT_BYTES, (v, o) =>
        writePoint(v, o, z.center!.coordinates[0], z.center!.coordinates[1], SRID_WGS84),
      );
    else this.nullField();
    if (z.bbox) this.geometryField(BBOX_POLYGON_BYTES, (v, o) => writeBBoxPolygon(v, o, z.bbox!, SRID_WGS84));
    else this.nullField();
    if (flat) {
      const size = flatMultiPolygonByteSize(flat);
      this.geometryField(size, (v, o) => writeFlatMultiPolygon(v, o, flat, SRID_WEB_MERCATOR));
      this.geometryField(size, (v, o) => writeFlatMultiPolygon(v, o, flat, SRID_WGS84));
    } else if (z.geometry) {
      const coords = z.geometry.coordinates;
      const size = multiPolygonByteSize(coords);
      this.geometryField(size, (v, o) => writeMultiPolygon(v, o, coords, SRID_WEB_MERCATOR));
      this.geometryField(size, (v, o) => writeMultiPolygon(v, o, coords, SRID_WGS84));
    } else {
      this.nullField();
      this.nullField();
    }
    this.jsonbField(z.tags);
    this.jsonbField(z.center_tags);
    this.int8Field(z.parent);
    this.textField(z.wikidata);
    this.ensure(5);
    this.view.setInt32(this.pos, 1);
    this.buf[this.pos + 4] = z.is_generated ? 1 : 0;
    this.pos += 5;
    this.textField(z.country_code);
  }

  /** Room for n more bytes: else the pending bytes move to the start of a new slab (offsets change). */
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const pending = this.pos - this.start;
    const size = Math.max(SLAB, pending + n + FLUSH_AT);
    const spare = size === SLAB ? this.spare.pop() : undefined;
    const slab = spare ?? Buffer.allocUnsafe(size);
    if (this.buf.length === SLAB) {
      this.retired.push(this.buf);
      if (this.retired.length > SPARE_SLABS) this.retired.shift(); // not to be reused: left to the collector
    }
    this.buf.copy(slab, 0, this.start, this.pos);
    this.buf = slab;
    this.view = new DataView(slab.buffer, slab.byteOffset, slab.length);
    this.start = 0;
    this.pos = pending;
  }

  private int32(v: number): void {
    this.ensure(4);
    this.view.setInt32(this.pos, v);
    this.pos += 4;
  }

  private nullField(): void {
    this.int32(-1);
  }

  private int8Field(v: number | null): void {
    if (v == null) {
      this.nullField();
      return;
    }
    this.ensure(12);
    this.view.setInt32(this.pos, 8);
    // ids are below 2^53: split into two 32-bit halves instead of going through BigInt
    this.view.setUint32(this.pos + 4, Math.floor(v / 0x100000000));
    this.view.setUint32(this.pos + 8, v >>> 0);
    this.pos += 12;
  }

  private int4Field(v: number | null): void {
    if (v == null) {
      this.nullField();
      return;
    }
    this.ensure(8);
    this.view.setInt32(this.pos, 4);
    this.view.setInt32(this.pos + 4, v);
    this.pos += 8;
  }

  private textField(s: string | null): void {
    if (s == null) {
      this.nullField();
      return;
    }
    const max = s.length * 3;
    this.ensure(4 + max);
    const n = this.buf.write(s, this.pos + 4, "utf8");
    this.view.setInt32(this.pos, n);
    this.pos += 4 + n;
  }

  private jsonbField(v: unknown): void {
    const s = JSON.stringify(v);
    this.ensure(5 + s.length * 3);
    this.buf[this.pos + 4] = 1; // jsonb binary format version
    const n = this.buf.write(s, this.pos + 5, "utf8");
    this.view.setInt32(this.pos, n + 1);
    this.pos += 5 + n;
  }

  /** A jsonb field from JSON text as it is (jsonb parses it; key order, spacing and duplicates are its own). */
  private jsonbText(json: Buffer): void {
    this.ensure(5 + json.length);
    this.view.setInt32(this.pos, json.length + 1);
    this.buf[this.pos + 4] = 1; // jsonb binary format version
    json.copy(this.buf, this.pos + 5);
    this.pos += 5 + json.length;
  }

  private textArrayField(items: string[]): void {
    this.ensure(24);
    const at = this.pos - this.start; // relative: the items may move the bytes to a new slab
    this.pos += 4; // length, filled below
    this.view.setInt32(this.pos, items.length ? 1 : 0); // dimensions
    this.view.setInt32(this.pos + 4, 0); // no nulls
    this.view.setInt32(this.pos + 8, TEXT_OID);
    this.pos += 12;
    if (items.length) {
      this.view.setInt32(this.pos, items.length);
      this.view.setInt32(this.pos + 4, 1); // lower bound
      this.pos += 8;
      for (const s of items) this.textField(s);
    }
    this.view.setInt32(this.start + at, this.pos - this.start - at - 4);
  }

  private geometryField(size: number, write: (view: DataView, offset: number) => number): void {
    this.ensure(4 + size);
    this.view.setInt32(this.pos, size);
    const end = write(this.view, this.pos + 4);
    if (end !== this.pos + 4 + size) throw new Error(`EWKB size mismatch: ${end - this.pos - 4} != ${size}`);
    this.pos = end;
  }
}
