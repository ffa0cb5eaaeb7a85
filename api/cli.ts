// Stage CLI for api/ (placeholder until the stage lands).
import { Command } from "commander";

export function commands(): Command[] {
  return [new Command("api").description("JSON API server (not yet implemented)")];
}
