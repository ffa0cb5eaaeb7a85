// osmium's OPL text format (one object per line), read and written for the tests (decoder checked against
// `osmium cat -f opl`) and for the benchmark's input generator. Only the fields we use: id, tags, coords,
// way nodes, relation members; metadata fields are ignored on input and omitted on output.
import type { OsmMember, OsmNode, OsmRelation, OsmWay, Tags } from "./types.ts";

export type OsmElement = OsmNode | OsmWay | OsmRelation;
const MEMBER: Record<string, OsmMember["type"]> = { n: "node", w: "way", r: "relation" };

/** OPL escapes: %<hex code point>% for anything outside the safe set. */
function unescapeOpl(s: string): string {
  return s.includes("%") ? s.replace(/%([0-9a-fA-F]+)%/g, (_, h) => String.fromCodePoint(Number.parseInt(h, 16))) : s;
}

function escapeOpl(s: string): string {
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    // osmium's safe set: printable ASCII except the OPL separators, plus any non-ASCII character.
    const safe = (c > 0x20 && c < 0x7f && !" ,=@%".includes(ch)) || c > 0x7f;
    out += safe ? ch : `%${c.toString(16)}%`;
  }
  return out;
}

export function parseOplLine(line: string): OsmElement {
  const fields = line.split(" ");
  const head = fields[0];
  const id = Number(head.slice(1));
  let tags: Tags = {};
  let lon = Number.NaN;
  let lat = Number.NaN;
  let refs: number[] = [];
  let members: OsmMember[] = [];
  for (const f of fields.slice(1)) {
    const v = f.slice(1);
    switch (f[0]) {
      case "T":
        tags = {};
        if (v)
          for (const kv of v.split(",")) {
            const eq = kv.indexOf("=");
            tags[unescapeOpl(kv.slice(0, eq))] = unescapeOpl(kv.slice(eq + 1));
          }
        break;
      case "x":
        lon = Number(v);
        break;
      case "y":
        lat = Number(v);
        break;
      case "N":
        refs = v ? v.split(",").map((r) => Number(r.slice(1))) : [];
        break;
      case "M":
        members = v
          ? v.split(",").map((m) => {
              const at = m.indexOf("@");
              return { type: MEMBER[m[0]], ref: Number(m.slice(1, at)), role: unescapeOpl(m.slice(at + 1)) };
            })
          : [];
        break;
    }
  }
  if (head[0] === "n") return { type: "node", id, lon, lat, tags };
  if (head[0] === "w") return { type: "way", id, refs, tags };
  if (head[0] === "r") return { type: "relation", id, tags, members };
  throw new Error(`OPL line does not start with n, w or r: ${line.slice(0, 40)}`);
}

export function formatOpl(e: OsmElement): string {
  const tags = `T${Object.entries(e.tags)
    .map(([k, v]) => `${escapeOpl(k)}=${escapeOpl(v)}`)
    .join(",")}`;
  if (e.type === "node") return `n${e.id} v1 ${tags} x${e.lon.toFixed(7)} y${e.lat.toFixed(7)}`;
  if (e.type === "way") return `w${e.id} v1 ${tags} N${e.refs.map((r) => `n${r}`).join(",")}`;
  return `r${e.id} v1 ${tags} M${e.members.map((m) => `${m.type[0]}${m.ref}@${escapeOpl(m.role)}`).join(",")}`;
}
