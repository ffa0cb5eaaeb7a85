// A big zone whose area is much more than its outline, for the tests of the tiles' cut (importer/tile-cells.ts):
// most of its cells lie wholly inside it.
import type { MultiPolygonGeometry } from "../../core/cosmogony/model.ts";

/**
 * A square `size` degrees wide (in longitude; as tall on the ground) with its south-west corner at (lon, lat), its
 * four edges wavy (a hundredth of the size deep, 13 waves an edge) over `n` vertices in all. The waves stay that
 * shallow so that an edge's straight segments between vertices bend little between EPSG:4326 and EPSG:3857 (the
 * point lookup takes such a zone's pieces from its tile cells only when their areas add up to its own within 1e-10,
 * importer/sql/lookup-fill-cells.sql).
 */
export function wavySquare(n: number, lon: number, lat: number, size: number): MultiPolygonGeometry {
  const side = Math.floor(n / 4);
  const height = size * Math.cos((lat * Math.PI) / 180);
  const wave = (t: number) => 0.01 * size * Math.sin(2 * Math.PI * 13 * t) * Math.sin(Math.PI * t);
  const ring: [number, number][] = [];
  for (let i = 0; i < side; i++) ring.push([lon + (size * i) / side, lat + height * wave(i / side)]);
  for (let i = 0; i < side; i++) ring.push([lon + size + size * wave(i / side), lat + (height * i) / side]);
  for (let i = 0; i < side; i++) ring.push([lon + size - (size * i) / side, lat + height - height * wave(i / side)]);
  for (let i = 0; i < side; i++) ring.push([lon - size * wave(i / side), lat + height - (height * i) / side]);
  ring.push(ring[0] as [number, number]);
  return { type: "MultiPolygon", coordinates: [[ring]] };
}
