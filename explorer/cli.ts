// Stage CLI for explorer/ (placeholder until the stage lands).
import { Command } from "commander";

export function commands(): Command[] {
  return [new Command("web").description("Serve the web explorer through nginx (not yet implemented)")];
}
