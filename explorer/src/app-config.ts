// Settings injected at serve time: `cosmo web` writes /config.json next to the app (basemap style URL, API
// prefix). Missing or broken config → defaults, so the static build also works behind any plain web server.

export interface AppConfig {
  basemapStyle: string;
  apiBase: string;
  tilesBase: string;
  dataBase: string;
}

export const DEFAULT_CONFIG: AppConfig = { basemapStyle: "", apiBase: "/api", tilesBase: "/tiles", dataBase: "/data" };

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
    };
  } catch {
    return DEFAULT_CONFIG;
  }
}
