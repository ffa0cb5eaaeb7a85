// Stage CLI for workflows/ (placeholder until the stage lands).
import { Command } from "commander";

export function commands(): Command[] {
  return [new Command("workflows").description("Argo workflow templates: render, run locally, submit (not yet implemented)")];
}
