// Commands for the embedded services (placeholder; filled by core work).
import { Command } from "commander";

export function commands(): Command[] {
  return [];
}
