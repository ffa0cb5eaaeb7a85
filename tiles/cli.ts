// `cosmo tiles serve` and `cosmo tiles seed`.
import { Command, InvalidArgumentError } from "commander";
import { intOption, runAction } from "../core/cli.ts";
import { getConfig } from "../core/config.ts";
import { openDatabase } from "../core/db.ts";
import { addServeCommand } from "../core/serving/serve-command.ts";
import { openStore } from "../core/storage.ts";
import { MAX_URL_ZOOM } from "./coords.ts";
import { LAYERS, layerByUrlName } from "./layers.ts";
import { seedTiles } from "./seed.ts";
import { startTilesServer } from "./server.ts";
import { tilesSettings } from "./settings.ts";

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
  return [tiles];
}
