// Stage CLI for importer/ (placeholder until the stage lands).
import { Command } from "commander";

export function commands(): Command[] {
  return [new Command("import").description("Import a cosmogony zones file into PostGIS (not yet implemented)")];
}
