// Which stage module gives which top-level commands of `cosmo`, in the order help lists them. The names are
// checked against what each module really registers (core/test/cli-stages.test.ts).
import type { Command } from "commander";

export interface StageModule {
  commands(): Command[];
}

export interface StageCommands {
  names: string[];
  load(): Promise<StageModule>;
}

export const STAGE_COMMANDS: StageCommands[] = [
  { names: ["extract", "merge"], load: () => import("./extractor/cli.ts") },
  { names: ["import", "publish", "rollback", "datasets"], load: () => import("./importer/cli.ts") },
  { names: ["dashboard", "diff", "gate"], load: () => import("./dashboard/cli.ts") },
  { names: ["tiles"], load: () => import("./tiles/cli.ts") },
  { names: ["api"], load: () => import("./api/cli.ts") },
  { names: ["locate"], load: () => import("./api/locate/cli.ts") },
  { names: ["web"], load: () => import("./explorer/cli.ts") },
  { names: ["workflows"], load: () => import("./workflows/cli.ts") },
  { names: ["db", "s3", "store"], load: () => import("./core/cli-commands.ts") },
];
