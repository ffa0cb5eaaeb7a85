// Stage CLI for extractor/ (placeholder until the stage lands).
import { Command } from "commander";

export function commands(): Command[] {
  return [new Command("extract").description("Extract zones from an OSM PBF into a cosmogony file (not yet implemented)")];
}
