// `cosmo tiles serve`, `cosmo tiles seed` and `cosmo tiles export`.
import { Command, InvalidArgumentError } from "commander";
import { intOption, runAction } from "../core/cli.ts";
import { addServeCommand } from "../core/serving/serve-command.ts";
import { MAX_URL_ZOOM } from "./coords.ts";
import { LAYERS, layerByUrlName } from "./layers.ts";

// Each command loads what it runs when it runs (`await import(…)`): the server (express, prom-client), the
// renderers, the PMTiles/MBTiles writers (better-sqlite3), the store and the config's schema are not needed
// for `--help` (start-up, issue 17).

function datasetOption(value: string): number | "served" {
  if (value === "served") return "served";
  if (!/^\d+$/.test(value))
    throw new InvalidArgumentError(`--dataset: expected a version number or "served", got "${value}"`);
  return Number(value);
}

export function commands(): Command[] {
  const tiles = new Command("tiles").description("Vector tile server (MVT) over the published dataset");

  addServeCommand(tiles, {
    service: "tiles",
    description: "serve /tiles/zones/{z}/{x}/{y}.pbf, /tiles/zones.json and the old /tiles/cosmogony/… alias",
    firstPath: "/tiles/zones.json",
    start: async (db, config, flags) => {
      const { tilesSettings } = await import("./settings.ts");
      const { openStore } = await import("../core/storage.ts");
      const { startTilesServer } = await import("./server.ts");
      const store = tilesSettings(config).persistentCache ? await openStore(config) : undefined;
      return startTilesServer({ db, store, port: flags.port, host: flags.host, config });
    },
  });

  tiles
    .command("seed")
    .description("pre-render low zooms of a dataset into the persistent tile cache (run before publishing)")
    .requiredOption("--dataset <version>", 'dataset version (or "served")', datasetOption)
    .option("--max-zoom <z>", "deepest zoom to render", intOption("--max-zoom"), 6)
    .option("--min-zoom <z>", "first zoom to render", intOption("--min-zoom"), 0)
    .option("--layers <names>", `comma-separated: ${Object.keys(LAYERS).join(",")}`, "zones,cosmogony")
    .option("--concurrency <n>", "parallel renders", intOption("--concurrency"), 2)
    .option("--force", "re-render tiles already cached")
    .action(
      runAction(
        async (opts: {
          dataset: number | "served";
          maxZoom: number;
          minZoom: number;
          layers: string;
          concurrency: number;
          force?: boolean;
        }) => {
          if (opts.maxZoom > MAX_URL_ZOOM) throw new InvalidArgumentError(`--max-zoom: at most ${MAX_URL_ZOOM}`);
          const layers = opts.layers.split(",").map((name) => {
            const layer = layerByUrlName(name.trim());
            if (!layer)
              throw new InvalidArgumentError(`--layers: unknown layer "${name}" (${Object.keys(LAYERS).join(", ")})`);
            return layer;
          });
          const { getConfig } = await import("../core/config.ts");
          const { openDatabase } = await import("../core/db.ts");
          const { openStore } = await import("../core/storage.ts");
          const { seedTiles } = await import("./seed.ts");
          const { tilesSettings } = await import("./settings.ts");
          const config = getConfig();
          const db = await openDatabase(config, { applicationName: "cosmo-tiles-seed" });
          try {
            const summary = await seedTiles({
              db,
              store: await openStore(config),
              dataset: opts.dataset,
              minZoom: opts.minZoom,
              maxZoom: opts.maxZoom,
              layers,
              languages: tilesSettings(config).languages,
              concurrency: opts.concurrency,
              force: opts.force,
            });
            process.stdout.write(`${JSON.stringify(summary)}\n`);
          } finally {
            await db.close();
          }
        },
      ),
    );
  tiles
    .command("export")
    .description(
      "write every non-empty tile of a dataset into one PMTiles v3 archive (static hosting, range requests) or an MBTiles file",
    )
    .requiredOption("--dataset <version>", 'dataset version (or "served")', datasetOption)
    .requiredOption("-o, --output <file>", "local path or s3:// URL ending in .pmtiles or .mbtiles")
    .option("--min-zoom <z>", "first zoom", intOption("--min-zoom"), 0)
    .option("--max-zoom <z>", "deepest zoom", intOption("--max-zoom"), 12)
    .option("--layer <name>", `one of ${Object.keys(LAYERS).join(", ")}`, "zones")
    .option("--concurrency <n>", "parallel renders", intOption("--concurrency"), 4)
    .action(
      runAction(
        async (opts: {
          dataset: number | "served";
          output: string;
          minZoom: number;
          maxZoom: number;
          layer: string;
          concurrency: number;
        }) => {
          const layer = layerByUrlName(opts.layer);
          if (!layer)
            throw new InvalidArgumentError(
              `--layer: unknown layer "${opts.layer}" (${Object.keys(LAYERS).join(", ")})`,
            );
          const { getConfig } = await import("../core/config.ts");
          const { openDatabase } = await import("../core/db.ts");
          const { openStore } = await import("../core/storage.ts");
          const { exportTiles } = await import("./export.ts");
          const { tilesSettings } = await import("./settings.ts");
          const config = getConfig();
          const db = await openDatabase(config, { applicationName: "cosmo-tiles-export" });
          try {
            const summary = await exportTiles({
              db,
              dataset: opts.dataset,
              out: opts.output,
              layer,
              minZoom: opts.minZoom,
              maxZoom: opts.maxZoom,
              languages: tilesSettings(config).languages,
              concurrency: Math.max(1, opts.concurrency),
              store: opts.output.startsWith("s3://") ? await openStore(config) : undefined,
            });
            process.stdout.write(`${JSON.stringify(summary)}\n`);
          } finally {
            await db.close();
          }
        },
      ),
    );
  return [tiles];
}
