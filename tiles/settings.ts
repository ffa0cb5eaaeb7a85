// The `tiles` config section with defaults for keys the service understands beyond the shared contract list.
import type { Config } from "../core/config.ts";

export interface TilesSettings {
  port: number;
  host: string;
  maxInFlight: number;
  queue: number;
  queueTimeoutMs: number;
  retryAfterSeconds: number;
  memoryCacheBytes: number;
  persistentCache: boolean;
  /** Renders up to this zoom are also written to the artefact store (seeding covers the rest). */
  persistentMaxZoom: number;
  /** `name:<lang>` properties copied into the `zones` layer (the explorer's language switch). */
  languages: string[];
  /** Cache-Control max-age of tile URLs without the version parameter. */
  maxAgeSeconds: number;
  /** TileJSON maxzoom (clients overzoom beyond it; deeper URLs are still served up to z22). */
  maxZoom: number;
  /** Public base URL for TileJSON `tiles` (e.g. https://example.org); empty = from the request headers. */
  publicUrl: string;
}

export const TILES_DEFAULTS: Omit<
  TilesSettings,
  "port" | "maxInFlight" | "queue" | "memoryCacheBytes" | "persistentCache"
> = {
  host: "0.0.0.0",
  queueTimeoutMs: 2000,
  retryAfterSeconds: 1,
  persistentMaxZoom: 8,
  languages: ["en", "fr", "de", "es", "it", "nl", "pt", "ru", "ar", "zh", "ja", "lb"],
  maxAgeSeconds: 60,
  maxZoom: 14,
  publicUrl: "",
};

export function tilesSettings(config: Config, overrides: Partial<TilesSettings> = {}): TilesSettings {
  return { ...TILES_DEFAULTS, ...(config.tiles as Partial<TilesSettings>), ...overrides } as TilesSettings;
}
