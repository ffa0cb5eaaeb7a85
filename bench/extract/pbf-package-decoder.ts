// The same PrimitiveBlock decode as extractor/pbf/block.ts (keep everything), written on the `pbf`
// package's callback API — the alternative the decoder was benchmarked against (proto-microbench.ts).
import { PbfReader } from "pbf";
import type { OsmMember, OsmNode, OsmRelation, OsmWay, Tags } from "../../extractor/pbf/types.ts";

interface Out {
  strings: string[];
  granularity: number;
  latOffset: number;
  lonOffset: number;
  groups: [number, number][];
}

const TYPES: OsmMember["type"][] = ["node", "way", "relation"];

export function decodeWithPbf(buf: Uint8Array) {
  const pbf = new PbfReader(buf);
  const block = pbf.readFields<Out>(
    (tag, b, r) => {
      if (tag === 1) {
        const end = r.readVarint() + r.pos;
        r.readFields((t, s: string[], rr) => (t === 1 ? s.push(rr.readString()) : rr.skip(rr.type)), b.strings, end);
      } else if (tag === 2) {
        const len = r.readVarint();
        b.groups.push([r.pos, r.pos + len]);
        r.pos += len;
      } else if (tag === 17) b.granularity = r.readVarint();
      else if (tag === 19) b.latOffset = r.readVarint(true);
      else if (tag === 20) b.lonOffset = r.readVarint(true);
      else r.skip(r.type);
    },
    { strings: [], granularity: 100, latOffset: 0, lonOffset: 0, groups: [] },
  );
  const s = block.strings;
  const tagsOf = (keys: number[], vals: number[]): Tags => {
    const t: Tags = {};
    for (let i = 0; i < keys.length; i++) t[s[keys[i]]] = s[vals[i]];
    return t;
  };
  const lat = (v: number) => Math.round((block.latOffset + block.granularity * v) / 100);
  const lon = (v: number) => Math.round((block.lonOffset + block.granularity * v) / 100);
  const coordIds: number[] = [];
  const coordLon: number[] = [];
  const coordLat: number[] = [];
  const nodes: OsmNode[] = [];
  const ways: OsmWay[] = [];
  const relations: OsmRelation[] = [];
  for (const [start, end] of block.groups) {
    pbf.pos = start;
    pbf.readFields(
      (tag, _, r) => {
        if (tag === 2) {
          const d = r.readMessage(
            (t, x: { id: number[]; lat: number[]; lon: number[]; kv: number[] }, rr) => {
              if (t === 1) rr.readPackedSVarint(x.id);
              else if (t === 8) rr.readPackedSVarint(x.lat);
              else if (t === 9) rr.readPackedSVarint(x.lon);
              else if (t === 10) rr.readPackedVarint(x.kv);
              else rr.skip(rr.type);
            },
            { id: [], lat: [], lon: [], kv: [] },
          );
          let id = 0;
          let la = 0;
          let lo = 0;
          let k = 0;
          for (let i = 0; i < d.id.length; i++) {
            id += d.id[i];
            la += d.lat[i];
            lo += d.lon[i];
            const keys: number[] = [];
            const vals: number[] = [];
            if (d.kv.length)
              for (; d.kv[k] !== 0; k += 2) {
                keys.push(d.kv[k]);
                vals.push(d.kv[k + 1]);
              }
            k++;
            coordIds.push(id);
            coordLon.push(lon(lo));
            coordLat.push(lat(la));
            if (keys.length)
              nodes.push({ type: "node", id, lon: lon(lo) / 1e7, lat: lat(la) / 1e7, tags: tagsOf(keys, vals) });
          }
        } else if (tag === 3) {
          const w = r.readMessage(
            (t, x: { id: number; keys: number[]; vals: number[]; refs: number[] }, rr) => {
              if (t === 1) x.id = rr.readVarint(true);
              else if (t === 2) rr.readPackedVarint(x.keys);
              else if (t === 3) rr.readPackedVarint(x.vals);
              else if (t === 8) rr.readPackedSVarint(x.refs);
              else rr.skip(rr.type);
            },
            { id: 0, keys: [], vals: [], refs: [] },
          );
          for (let i = 1; i < w.refs.length; i++) w.refs[i] += w.refs[i - 1];
          ways.push({ type: "way", id: w.id, refs: w.refs, tags: tagsOf(w.keys, w.vals) });
        } else if (tag === 4) {
          const x = r.readMessage(
            (
              t,
              o: { id: number; keys: number[]; vals: number[]; roles: number[]; ids: number[]; types: number[] },
              rr,
            ) => {
              if (t === 1) o.id = rr.readVarint(true);
              else if (t === 2) rr.readPackedVarint(o.keys);
              else if (t === 3) rr.readPackedVarint(o.vals);
              else if (t === 8) rr.readPackedVarint(o.roles, true);
              else if (t === 9) rr.readPackedSVarint(o.ids);
              else if (t === 10) rr.readPackedVarint(o.types);
              else rr.skip(rr.type);
            },
            { id: 0, keys: [], vals: [], roles: [], ids: [], types: [] },
          );
          let ref = 0;
          const members = x.ids.map((d, i) => {
            ref += d;
            return { type: TYPES[x.types[i]], ref, role: s[x.roles[i]] };
          });
          relations.push({ type: "relation", id: x.id, tags: tagsOf(x.keys, x.vals), members });
        } else r.skip(r.type);
      },
      null,
      end,
    );
  }
  return {
    coordIds: Float64Array.from(coordIds),
    coordLon: Int32Array.from(coordLon),
    coordLat: Int32Array.from(coordLat),
    nodes,
    ways,
    relations,
  };
}
