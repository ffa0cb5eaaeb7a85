// Which stage module gives which top-level commands of `cosmo`, in the order help lists them. The names are
// checked against what each module really registers (core/test/cli-stages.test.ts).
import type { Command } from "commander";

export interface StageModule {
  commands(): Command[];
}

export interface StageCommands {
  names: string[];
  load(): Promise<StageModule>;
}

export const STAGE_COMMANDS: StageCommands[] = [
  { names: ["extract", "merge"], load: () => import("./extractor/cli.ts") },
  { names: ["import", "publish", "rollback", "datasets"], load: () => import("./importer/cli.ts") },
  { names: ["dashboard", "diff", "gate"], load: () => import("./dashboard/cli.ts") },
  { names: ["tiles"], load: () => import("./tiles/cli.ts") },
  { names: ["api"], load: () => import("./api/cli.ts") },
  { names: ["locate"], load: () => import("./api/locate/cli.ts") },
  { names: ["web"], load: () => import("./explorer/cli.ts") },
  { names: ["workflows"], load: () => import("./workflows/cli.ts") },
  { names: ["db", "s3", "store"], load: () => import("./core/cli-commands.ts") },
];

/**
 * Each command's one-line description as `cosmo --help` lists it without loading any stage (loading them all
 * for a help screen cost more than any command's start-up). The same as the description the stage module gives
 * its command (checked by core/test/cli-stages.test.ts), which `cosmo <command> --help` shows.
 */
export const COMMAND_SUMMARIES: Record<string, string> = {
  extract: "Extract administrative zones from an OSM PBF into a cosmogony file (.json, .jsonl, .json.gz, .jsonl.gz)",
  merge: "Merge cosmogony files (e.g. per-continent runs) into one; one zone per osm_id, ids and parents remapped",
  import: "Import a cosmogony zones file (.json, .jsonl, .json.gz, .jsonl.gz; path or s3://…) as a new dataset version",
  publish: "Serve a loaded dataset version (one transaction; checked by the publish gate unless forced)",
  rollback: "Serve the previous dataset version again (a second rollback rolls forward)",
  datasets: "List dataset versions: status, zone count, source, sha256, served/previous",
  dashboard:
    "Volumetric and quality checks of a dataset (zones file or imported version) as one JSON document, plus the old test_results.json",
  diff: "Change report between two datasets (version number, `served`, or zones file), matched by osm_id",
  gate: "Evaluate the publish gate for a dataset version against the served one (exit 3 when it would refuse)",
  tiles: "Vector tile server (MVT) over the published dataset",
  api: "JSON API over the published dataset",
  locate:
    "Zones of many points: id,lon,lat rows (.csv) or Point features (.geojsonl), optionally .gz → one zone id " +
    "per type, or the whole hierarchy with names (--hierarchy), as .csv or .jsonl (optionally .gz)",
  web: "serve the web explorer through nginx: / app, /api/ API, /tiles/ tiles, /data/ dashboard files",
  workflows: "Argo workflow templates: render, lint, run locally, submit to Argo Server, follow and read logs",
  db: "The database: embedded PostgreSQL+PostGIS unless DATABASE_URL is set",
  s3: "The artefact store's S3 server: embedded unless S3_ENDPOINT is set",
  store: "The artefact store (s3://bucket/key, file:///path or a path)",
};
