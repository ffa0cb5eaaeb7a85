// The `api` config section: its keys, defaults and validation live in core/config.ts (one source of truth).
import type { Config } from "../core/config.ts";

export type ApiSettings = Config["api"];

export function apiSettings(config: Config, overrides: Partial<ApiSettings> = {}): ApiSettings {
  return { ...config.api, ...overrides };
}
