// The `tiles` config section: its keys, defaults and validation live in core/config.ts (one source of truth).
import { type Config, ConfigSchema } from "../core/config.ts";

export type TilesSettings = Config["tiles"];

export function tilesSettings(config: Config, overrides: Partial<TilesSettings> = {}): TilesSettings {
  return { ...config.tiles, ...overrides };
}

/** The section as a config with nothing set gives it (tests and benchmarks that need the defaults). */
export const TILES_DEFAULTS: TilesSettings = ConfigSchema.parse({}).tiles;
