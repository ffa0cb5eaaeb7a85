// Stage CLI for dashboard/ (placeholder until the stage lands).
import { Command } from "commander";

export function commands(): Command[] {
  return [new Command("dashboard").description("Compute dashboard data (volumetric and quality checks) (not yet implemented)")];
}
