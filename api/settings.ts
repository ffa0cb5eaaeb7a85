// The `api` config section with defaults for keys the service understands beyond the shared contract list.
import type { Config } from "../core/config.ts";

export interface ApiSettings {
  port: number;
  host: string;
  maxInFlight: number;
  queue: number;
  queueTimeoutMs: number;
  retryAfterSeconds: number;
  corsOrigins: string[];
  /** Largest `limit` of /zones. */
  maxLimit: number;
  /** Largest bbox area (square degrees) of /zones?bbox=. */
  maxBboxDegrees2: number;
  /** Largest `offset` of /zones (deep pagination is a full scan). */
  maxOffset: number;
  /** In-memory cache of responses of the served version (bytes; 0 = off). */
  responseCacheBytes: number;
  /** Cache-Control max-age of data responses (they change on publish). */
  maxAgeSeconds: number;
}

export const API_DEFAULTS = {
  host: "0.0.0.0",
  queueTimeoutMs: 2000,
  retryAfterSeconds: 1,
  maxOffset: 10_000,
  maxAgeSeconds: 30,
  responseCacheBytes: 64 * 1024 * 1024,
};

export function apiSettings(config: Config, overrides: Partial<ApiSettings> = {}): ApiSettings {
  return { ...API_DEFAULTS, ...(config.api as Partial<ApiSettings>), ...overrides } as ApiSettings;
}
