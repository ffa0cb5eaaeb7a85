// The three passes over the PBF, each keeping only what the next step needs (bounded memory: never every
// node of the file). Pass 1: admin relations + place nodes; pass 2: the relations' member ways; pass 3:
// those ways' nodes (coordinates only) and the admin_centre/label member nodes (with tags).
import { startProgress } from "../core/progress.ts";
import {
  IdSet,
  type NodeCoords,
  type OsmNode,
  type OsmRelation,
  type Pass,
  type PassResult,
  readPbf,
} from "./pbf/index.ts";

export interface OsmInput {
  relations: OsmRelation[];
  placeNodes: OsmNode[];
  /** way id → node ids */
  ways: Map<number, number[]>;
  coords: NodeCoords;
  /** admin_centre / label member nodes that carry tags */
  centerNodes: Map<number, OsmNode>;
}

/** Place values read in pass 1: suburb-like ones always become zones, city-like ones only capitals (Voronoi). */
export const SUBURB_PLACES = ["suburb", "quarter", "neighbourhood"];
export const CITY_PLACES = ["city", "town", "village"];

export const ADMIN_RELATIONS: Pass["relations"] = [
  [{ key: "boundary", values: ["administrative"] }, { key: "admin_level" }],
];
export const PLACE_NODES: NonNullable<Pass["nodes"]>["tags"] = [
  [{ key: "place", values: SUBURB_PLACES }, { key: "name" }],
  [{ key: "place", values: CITY_PLACES }, { key: "name" }, { key: "capital", values: ["yes"] }],
];

async function runPass(label: string, file: string, pass: Pass, threads?: number): Promise<PassResult> {
  const bar = startProgress({ label, unit: "MB" });
  let last = 0;
  try {
    const result = await readPbf(file, pass, {
      threads,
      onProgress(read, total) {
        bar.setTotal(Math.round(total / 1e6));
        bar.update(Math.round(read / 1e6), read);
        last = read;
      },
    });
    bar.stop(
      `${label}: ${result.relations.length} relations, ${result.ways.length} ways, ${result.coords.size} node positions, ${(last / 1e6).toFixed(1)} MB read`,
    );
    return result;
  } catch (err) {
    bar.stop(`${label} failed`);
    throw err;
  }
}

export async function readOsm(file: string, opts: { threads?: number } = {}): Promise<OsmInput> {
  const { threads } = opts;
  const p1 = await runPass(
    "pass 1/3 admin relations + places",
    file,
    { relations: ADMIN_RELATIONS, nodes: { tags: PLACE_NODES } },
    threads,
  );
  const wayIds: number[] = [];
  const centerIds: number[] = [];
  for (const r of p1.relations) {
    for (const m of r.members) {
      if (m.type === "way") wayIds.push(m.ref);
      else if (m.type === "node" && (m.role === "admin_centre" || m.role === "label")) centerIds.push(m.ref);
    }
  }

  const p2 = await runPass("pass 2/3 boundary ways", file, { ways: IdSet.from(wayIds) }, threads);
  const ways = new Map<number, number[]>();
  const nodeIds: number[] = centerIds.slice();
  for (const w of p2.ways) {
    ways.set(w.id, w.refs);
    for (const n of w.refs) nodeIds.push(n);
  }
  p2.ways.length = 0;

  const p3 = await runPass("pass 3/3 boundary nodes", file, { nodes: { ids: IdSet.from(nodeIds) } }, threads);
  const center = new Set(centerIds);
  const centerNodes = new Map<number, OsmNode>();
  for (const n of p3.nodes) if (center.has(n.id)) centerNodes.set(n.id, n);

  return { relations: p1.relations, placeNodes: p1.nodes, ways, coords: p3.coords, centerNodes };
}
