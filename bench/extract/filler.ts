// What a real country extract is mostly made of, for make-big.ts: POI nodes, buildings (closed 4-node ways),
// roads (8-node ways) and a few multipolygon and route relations — none of it administrative, so the extract's
// zones are those of the boundaries alone. Deterministic (a seeded generator per copy), as OPL lines.

/** Filler objects of one copy. */
export interface FillerSize {
  n: number;
  w: number;
  r: number;
  poi: number;
  buildings: number;
  roads: number;
}

const BUILDING_NODES = 4;
const ROAD_NODES = 8;
const LINES_PER_CHUNK = 50_000;
const META = "v1 dV c1 t2020-01-01T00:00:00Z i1 ucosmo";
const AMENITIES = ["cafe", "restaurant", "school", "bank", "pharmacy", "post_office", "fuel", "parking"];
/** Spread of a copy's filler (its boundaries' extent, ~0.9° × 0.85°). */
const SPAN = { lon: 0.8, lat: 0.75 };

/** `times` the copy's boundary nodes in filler nodes: 10 % POIs, 55 % in buildings, the rest in roads. */
export function fillerSize(boundaryNodes: number, times: number): FillerSize {
  const n = Math.round(boundaryNodes * times);
  const poi = Math.floor(n * 0.1);
  const buildings = Math.floor((n * 0.55) / BUILDING_NODES);
  const roads = Math.floor((n - poi - buildings * BUILDING_NODES) / ROAD_NODES);
  const w = buildings + roads;
  return {
    n: poi + buildings * BUILDING_NODES + roads * ROAD_NODES,
    w,
    r: w > 0 ? Math.max(1, Math.floor(w / 500)) : 0,
    poi,
    buildings,
    roads,
  };
}

/** mulberry32: a small seeded generator, so a copy's filler is the same at every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The copy's filler objects of kind `kind`, as chunks of OPL lines in id order; `first`: the first filler id of
 * each kind in this copy, `origin`: the south-west corner of the copy's cell.
 */
export function* fillerOfCopy(
  kind: "n" | "w" | "r",
  size: FillerSize,
  first: { n: number; w: number; r: number },
  origin: { lon: number; lat: number },
  copy: number,
): Generator<string> {
  if (size.n === 0) return;
  let lines: string[] = [];
  const flush = function* () {
    if (lines.length > 0) yield `${lines.join("\n")}\n`;
    lines = [];
  };
  const push = function* (line: string) {
    lines.push(line);
    if (lines.length >= LINES_PER_CHUNK) yield* flush();
  };
  const buildingNode = (b: number, k: number) => first.n + size.poi + b * BUILDING_NODES + k;
  const roadNode = (r: number, k: number) => first.n + size.poi + size.buildings * BUILDING_NODES + r * ROAD_NODES + k;

  if (kind === "n") {
    const rnd = random(copy + 1);
    const at = () => [origin.lon + rnd() * SPAN.lon, origin.lat + rnd() * SPAN.lat];
    const node = (id: number, lon: number, lat: number, tags = "") =>
      `n${id} ${META} T${tags} x${lon.toFixed(7)} y${lat.toFixed(7)}`;
    for (let i = 0; i < size.poi; i++) {
      const [lon, lat] = at();
      yield* push(node(first.n + i, lon, lat, `amenity=${AMENITIES[i % AMENITIES.length]},name=POI_${i}`));
    }
    const side = 0.0002;
    for (let b = 0; b < size.buildings; b++) {
      const [lon, lat] = at();
      yield* push(node(buildingNode(b, 0), lon, lat));
      yield* push(node(buildingNode(b, 1), lon + side, lat));
      yield* push(node(buildingNode(b, 2), lon + side, lat + side));
      yield* push(node(buildingNode(b, 3), lon, lat + side));
    }
    for (let r = 0; r < size.roads; r++) {
      let [lon, lat] = at();
      for (let k = 0; k < ROAD_NODES; k++) {
        yield* push(node(roadNode(r, k), lon, lat));
        lon += (rnd() - 0.5) * 0.002;
        lat += (rnd() - 0.5) * 0.002;
      }
    }
  } else if (kind === "w") {
    for (let b = 0; b < size.buildings; b++) {
      const nodes = [0, 1, 2, 3, 0].map((k) => `n${buildingNode(b, k)}`).join(",");
      yield* push(`w${first.w + b} ${META} Tbuilding=yes N${nodes}`);
    }
    for (let r = 0; r < size.roads; r++) {
      const nodes = Array.from({ length: ROAD_NODES }, (_, k) => `n${roadNode(r, k)}`).join(",");
      const highway = r % 10 === 0 ? "primary" : "residential";
      yield* push(`w${first.w + size.buildings + r} ${META} Thighway=${highway},name=Road_${r} N${nodes}`);
    }
  } else {
    for (let i = 0; i < size.r; i++) {
      if (i % 2 === 0) {
        const a = first.w + ((2 * i) % Math.max(1, size.buildings));
        yield* push(`r${first.r + i} ${META} Ttype=multipolygon,building=yes Mw${a}@outer`);
      } else {
        const a = first.w + size.buildings + ((2 * i) % Math.max(1, size.roads));
        yield* push(`r${first.r + i} ${META} Ttype=route,route=bus Mw${a}@,w${a + 1 < first.w + size.w ? a + 1 : a}@`);
      }
    }
  }
  yield* flush();
}
