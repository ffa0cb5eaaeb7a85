// Stage CLI for tiles/ (placeholder until the stage lands).
import { Command } from "commander";

export function commands(): Command[] {
  return [new Command("tiles").description("Vector tile server (not yet implemented)")];
}
