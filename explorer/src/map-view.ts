// The map: MapLibre with the zones vector tiles, hover/selection highlight layers and the selected zone's full
// geometry. Tile URLs are built from this page's origin (the TileJSON only supplies zoom range and bounds), so
// the same build works behind any host name nginx answers to.
import type { Feature, FeatureCollection, Geometry } from "geojson";
import type { GeoJSONSource, MapGeoJSONFeature, Map as MlMap, PointLike } from "maplibre-gl";
import { PMTiles, Protocol } from "pmtiles";
import type { AppConfig } from "./app-config.ts";
import { h, replaceChildren } from "./dom.ts";
import maplibregl from "./maplibre.ts";
import { showError } from "./status.ts";
import {
  basemapLabelFont,
  blankStyle,
  COMPARE_NEW_SOURCE,
  COMPARE_OLD_SOURCE,
  comparisonLayers,
  FILL_LAYER,
  glyphsUrl,
  HOVER_LAYER,
  idFilter,
  LABEL_LAYER,
  LINE_LAYER,
  labelLayer,
  labelText,
  SELECTED_SOURCE,
  SELECTED_TILE_LAYER,
  typeFilter,
  ZONES_LAYER,
  ZONES_SOURCE,
  zoneLayers,
} from "./style.ts";
import type { BBox } from "./zone.ts";

const EMPTY: FeatureCollection = { type: "FeatureCollection", features: [] };

export interface TileInfo {
  minzoom: number;
  maxzoom: number;
  bounds?: BBox;
  /** The TileJSON's tile URLs: they carry the served version (`?v=`), so a publish changes every tile URL and a
   * browser never shows a cached tile of the previous version. */
  tiles?: string[];
}

async function loadTileJson(tilesBase: string): Promise<TileInfo> {
  try {
    const res = await fetch(`${tilesBase}/zones.json`, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const tj = (await res.json()) as Partial<TileInfo>;
    const tiles = Array.isArray(tj.tiles) && tj.tiles.every((t) => typeof t === "string") ? tj.tiles : undefined;
    return { minzoom: tj.minzoom ?? 0, maxzoom: tj.maxzoom ?? 14, bounds: tj.bounds, tiles };
  } catch (err) {
    showError(`Tiles: cannot read ${tilesBase}/zones.json (${(err as Error).message}); the map may stay empty.`, {
      sticky: true,
    });
    return { minzoom: 0, maxzoom: 14 };
  }
}

/**
 * Static mode: the zoom range and bounds from the archive's header, tiles through the `pmtiles://` protocol (range
 * requests on the one archive file; the archive's ETag guards against mixing two versions of it).
 */
async function loadArchive(archiveUrl: string): Promise<TileInfo> {
  const url = new URL(archiveUrl, window.location.href).href;
  try {
    const archive = new PMTiles(url);
    const protocol = new Protocol();
    protocol.add(archive);
    maplibregl.addProtocol("pmtiles", protocol.tile);
    const header = await archive.getHeader();
    return {
      minzoom: header.minZoom,
      maxzoom: header.maxZoom,
      bounds: [header.minLon, header.minLat, header.maxLon, header.maxLat],
      tiles: [`pmtiles://${url}/{z}/{x}/{y}`],
    };
  } catch (err) {
    showError(`Tiles: cannot read the archive ${url} (${(err as Error).message}); the map stays empty.`, {
      sticky: true,
    });
    return { minzoom: 0, maxzoom: 14, tiles: [] };
  }
}

export function featureId(
  f: MapGeoJSONFeature | { id?: unknown; properties?: Record<string, unknown> },
): number | null {
  const v = f.id ?? f.properties?.id;
  const n = Number(v);
  return v !== undefined && v !== null && Number.isFinite(n) ? n : null;
}

export class MapView {
  readonly map: MlMap;
  private types: string[];
  private lang: string;
  private hovered: number[] = [];
  readonly ready: Promise<TileInfo>;
  private readonly legend: HTMLElement;

  constructor(
    container: HTMLElement,
    config: AppConfig,
    types: string[],
    view: { center: [number, number]; zoom: number } | null,
    lang: string,
  ) {
    this.types = types;
    this.lang = lang;
    this.map = new maplibregl.Map({
      container,
      // Names need glyphs: ours (built with the app) on the blank style; on a basemap, see basemapLabelFont.
      style: config.basemapStyle || blankStyle(glyphsUrl(window.location.href)),
      center: view?.center ?? [0, 20],
      zoom: view?.zoom ?? 1.5,
      hash: false, // we own the hash: it also carries the selected zone id
      attributionControl: { compact: true, customAttribution: "Zones © OpenStreetMap contributors" },
      dragRotate: false,
      pitchWithRotate: false,
      // Names appear and change at once: a fade repaints the whole map for every step of their opacity, which a
      // software-rendered browser pays for in dropped frames while the map stands still (make bench-explorer).
      fadeDuration: 0,
    });
    this.map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
    this.map.addControl(new maplibregl.ScaleControl({}), "bottom-left");
    this.map.touchZoomRotate.disableRotation();
    this.legend = h("div", { class: "compare-legend", id: "compare-legend", hidden: true });
    container.append(this.legend);
    const tileInfo = config.tilesArchive ? loadArchive(config.tilesArchive) : loadTileJson(config.tilesBase);
    this.ready = new Promise<TileInfo>((resolve) => {
      this.map.once("load", async () => {
        const info = await tileInfo;
        this.map.addSource(ZONES_SOURCE, {
          type: "vector",
          tiles: info.tiles ?? [`${window.location.origin}${config.tilesBase}/zones/{z}/{x}/{y}.pbf`],
          minzoom: info.minzoom,
          maxzoom: info.maxzoom,
          ...(info.bounds ? { bounds: info.bounds } : {}),
          attribution: "© OpenStreetMap contributors",
        });
        this.map.addSource(SELECTED_SOURCE, { type: "geojson", data: EMPTY });
        this.map.addSource(COMPARE_NEW_SOURCE, { type: "geojson", data: EMPTY });
        this.map.addSource(COMPARE_OLD_SOURCE, { type: "geojson", data: EMPTY });
        for (const layer of [...zoneLayers(this.types), ...comparisonLayers()]) this.map.addLayer(layer);
        // getStyle() serialises the whole style: read once
        const basemap = config.basemapStyle ? this.map.getStyle() : null;
        const font = basemap ? basemapLabelFont(basemap) : undefined;
        if (basemap && font && !basemap.glyphs) this.map.setGlyphs(glyphsUrl(window.location.href));
        if (font !== null) this.map.addLayer(labelLayer(this.types, this.lang, font));
        resolve(info);
      });
    });
    this.map.on("error", (e) => {
      const err = e.error as Error & { status?: number; url?: string };
      // One message for all failing tiles (not one per tile); the map keeps the tiles it has.
      if (err?.status)
        showError(
          `Tiles: ${err.status === 503 ? "service unavailable" : `HTTP ${err.status}`}; parts of the map may be missing.`,
        );
      else if (err?.message) showError(`Map: ${err.message}`);
    });
  }

  setTypes(types: string[]): void {
    this.types = types;
    if (!this.map.getLayer(FILL_LAYER)) return;
    this.map.setFilter(FILL_LAYER, typeFilter(types));
    this.map.setFilter(LINE_LAYER, typeFilter(types));
    this.map.setFilter(HOVER_LAYER, idFilter(this.hovered, types));
    if (this.map.getLayer(LABEL_LAYER)) this.map.setFilter(LABEL_LAYER, typeFilter(types));
  }

  /** Names on the map in `lang` (`name:<lang>`, else the local name). */
  setLanguage(lang: string): void {
    this.lang = lang;
    if (this.map.getLayer(LABEL_LAYER)) this.map.setLayoutProperty(LABEL_LAYER, "text-field", labelText(lang));
  }

  /** Tile properties of a zone drawn on the map (static mode: what is known of a zone without the API). */
  tileZone(id: number): Record<string, unknown> | null {
    if (!this.map.getSource(ZONES_SOURCE)) return null;
    const [f] = this.map.querySourceFeatures(ZONES_SOURCE, {
      sourceLayer: ZONES_LAYER,
      filter: ["==", ["id"], id],
    });
    return f ? { ...f.properties } : null;
  }

  /** Zones of the visible types under a point (or box), unique by id, largest type first. */
  zonesAt(point: PointLike | [PointLike, PointLike]): MapGeoJSONFeature[] {
    if (!this.map.getLayer(FILL_LAYER)) return [];
    const seen = new Set<number>();
    const out: MapGeoJSONFeature[] = [];
    for (const f of this.map.queryRenderedFeatures(point, { layers: [FILL_LAYER] })) {
      const id = featureId(f);
      if (id === null || seen.has(id)) continue;
      seen.add(id);
      out.push(f);
    }
    return out;
  }

  highlight(ids: number[]): void {
    this.hovered = ids;
    if (this.map.getLayer(HOVER_LAYER)) this.map.setFilter(HOVER_LAYER, idFilter(ids));
  }

  setSelected(id: number | null, geometry: Feature<Geometry> | null): void {
    if (this.map.getLayer(SELECTED_TILE_LAYER))
      this.map.setFilter(SELECTED_TILE_LAYER, idFilter(id === null || geometry ? [] : [id]));
    (this.map.getSource(SELECTED_SOURCE) as GeoJSONSource | undefined)?.setData(
      geometry ? { type: "FeatureCollection", features: [geometry] } : EMPTY,
    );
  }

  /** Draws a changed zone's old and new boundary together, with a legend naming both versions. */
  setComparison(
    old: { feature: Feature<Geometry> | null; label: string },
    now: { feature: Feature<Geometry> | null; label: string },
  ): void {
    const put = (source: string, f: Feature<Geometry> | null) =>
      (this.map.getSource(source) as GeoJSONSource | undefined)?.setData(
        f ? { type: "FeatureCollection", features: [f] } : EMPTY,
      );
    put(COMPARE_OLD_SOURCE, old.feature);
    put(COMPARE_NEW_SOURCE, now.feature);
    const item = (cls: string, label: string, missing: boolean) =>
      h("div", {}, h("span", { class: `swatch ${cls}` }), missing ? `${label} (not available)` : label);
    replaceChildren(
      this.legend,
      item("swatch-old", old.label, !old.feature),
      item("swatch-new", now.label, !now.feature),
    );
    this.legend.hidden = false;
  }

  clearComparison(): void {
    if (this.legend.hidden) return;
    for (const source of [COMPARE_OLD_SOURCE, COMPARE_NEW_SOURCE])
      (this.map.getSource(source) as GeoJSONSource | undefined)?.setData(EMPTY);
    this.legend.hidden = true;
  }

  fitBBox(b: BBox, opts: { animate?: boolean } = {}): void {
    const container = this.map.getContainer();
    const pad = Math.min(60, container.clientWidth / 8, container.clientHeight / 8);
    this.map.fitBounds([b[0], b[1], b[2], b[3]], {
      padding: pad,
      maxZoom: 15,
      animate: opts.animate ?? true,
      duration: 900,
    });
  }
}
