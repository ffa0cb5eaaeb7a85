// Public API of the OSM PBF reader (see docs/extractor-pbf.md).
export type { NodeCoords } from "./coords.ts";
export { PbfError } from "./errors.ts";
export { IdSet } from "./idset.ts";
export { closePbfWorkers } from "./pool.ts";
export { type Pass, type PassResult, type ReadOptions, readPbf, type WayTable } from "./read.ts";
export {
  ALL,
  type All,
  type OsmMember,
  type OsmNode,
  type OsmRelation,
  type OsmWay,
  type TagCondition,
  type TagPredicate,
  type Tags,
} from "./types.ts";
