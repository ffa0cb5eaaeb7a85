// Settings injected at serve time: `cosmo web` writes /config.json next to the app (basemap style URL, API
// prefix). Missing or broken config → defaults, so the static build also works behind any plain web server.
// Static mode (`cosmo web --static`, or the built files on any static host): `tilesArchive` names a PMTiles
// archive (URL or path relative to the page) read with range requests instead of the tile service, and an empty
// `apiBase` says there is no API (search, zone details and the hierarchy say so instead of failing).

export interface AppConfig {
  basemapStyle: string;
  apiBase: string;
  tilesBase: string;
  dataBase: string;
  /** A PMTiles archive the map reads instead of `tilesBase` ("" = the tile service). */
  tilesArchive: string;
}

export const DEFAULT_CONFIG: AppConfig = {
  basemapStyle: "",
  apiBase: "/api",
  tilesBase: "/tiles",
  dataBase: "/data",
  tilesArchive: "",
};

/** No API behind this page (static mode): what needs one says so instead of asking. */
export function hasApi(config: AppConfig): boolean {
  return config.apiBase !== "";
}

export async function loadAppConfig(): Promise<AppConfig> {
  try {
    // Same request as the <link rel="preload"> in index.html, so the preloaded response is used.
    const res = await fetch("/config.json", { signal: AbortSignal.timeout(5000) });
    if (!res.ok) return DEFAULT_CONFIG;
    const body = (await res.json()) as Partial<AppConfig>;
    const pick = (k: keyof AppConfig) => (typeof body[k] === "string" ? (body[k] as string) : DEFAULT_CONFIG[k]);
    return {
      basemapStyle: pick("basemapStyle"),
      apiBase: pick("apiBase"),
      tilesBase: pick("tilesBase"),
      dataBase: pick("dataBase"),
      tilesArchive: pick("tilesArchive"),
    };
  } catch {
    return DEFAULT_CONFIG;
  }
}
