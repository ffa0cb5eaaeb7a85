// The zones layers: pure builders of MapLibre style objects, so the look is one readable table.
import { expression } from "@maplibre/maplibre-gl-style-spec";
import type {
  ExpressionSpecification,
  FilterSpecification,
  LayerSpecification,
  StyleSpecification,
  SymbolLayerSpecification,
} from "maplibre-gl";
import { ZONE_TYPE_COLORS, ZONE_TYPES_TOP_DOWN } from "./zone-types.ts";

const { isExpression } = expression;

export const ZONES_SOURCE = "zones";
export const ZONES_LAYER = "zones"; // source-layer name in the tiles (docs/CONTRACTS.md)
export const LABELS_SOURCE_LAYER = "zone_labels"; // the zones' label points in the same tiles (tiles/layers.ts)
export const FILL_LAYER = "zones-fill";
export const LABEL_LAYER = "zones-labels";
/** The font stack of the glyph PBFs built with the app (explorer/glyphs/generate.ts). */
export const LABEL_FONT_STACK = "DejaVu Sans";
export const LINE_LAYER = "zones-line";
export const HOVER_LAYER = "zones-hover";
export const SELECTED_TILE_LAYER = "zones-selected-tile";
export const SELECTED_SOURCE = "selected";
export const COMPARE_OLD_SOURCE = "compare-old";
export const COMPARE_NEW_SOURCE = "compare-new";
/** Old/new outline colours of a changed zone (the legend in styles.css uses the same). */
export const COMPARE_OLD_COLOR = "#d62728";
export const COMPARE_NEW_COLOR = "#1f5fd6";

const colorByType: ExpressionSpecification = [
  "match",
  ["get", "zone_type"],
  ...ZONE_TYPES_TOP_DOWN.flatMap((t) => [t, ZONE_TYPE_COLORS[t]]),
  "#444444",
] as unknown as ExpressionSpecification;

// Larger zones get thicker borders so the hierarchy reads at a glance.
const lineWidthByType: ExpressionSpecification = [
  "match",
  ["get", "zone_type"],
  "country",
  2.5,
  "country_region",
  2,
  "state",
  2,
  "state_district",
  1.6,
  "city",
  1.2,
  0.8,
] as unknown as ExpressionSpecification;

export function typeFilter(types: readonly string[]): FilterSpecification {
  return ["in", ["get", "zone_type"], ["literal", [...types]]] as FilterSpecification;
}

/** Features whose id (feature id, or an `id` property if the tiles carry one) is in `ids`. */
export function idFilter(ids: readonly number[], types?: readonly string[]): FilterSpecification {
  const byId = [
    "any",
    ["in", ["id"], ["literal", [...ids]]],
    ["in", ["to-number", ["get", "id"], -1], ["literal", [...ids]]],
  ];
  return (types ? ["all", typeFilter(types), byId] : byId) as FilterSpecification;
}

/** The glyph PBFs served with the app, e.g. `https://host/fonts/{fontstack}/{range}.pbf`. */
export function glyphsUrl(base: string): string {
  return new URL("fonts/{fontstack}/{range}.pbf", base).href.replace(/%7B/g, "{").replace(/%7D/g, "}");
}

export function blankStyle(glyphs?: string): StyleSpecification {
  return {
    version: 8,
    name: "cosmo blank",
    ...(glyphs ? { glyphs } : {}),
    sources: {},
    layers: [{ id: "background", type: "background", paint: { "background-color": "#eef0ea" } }],
  };
}

export function zoneLayers(types: readonly string[]): LayerSpecification[] {
  const source = { source: ZONES_SOURCE, "source-layer": ZONES_LAYER };
  return [
    {
      id: FILL_LAYER,
      type: "fill",
      ...source,
      filter: typeFilter(types),
      paint: { "fill-color": colorByType, "fill-opacity": 0.07 },
    },
    {
      id: HOVER_LAYER,
      type: "fill",
      ...source,
      filter: idFilter([]),
      paint: { "fill-color": colorByType, "fill-opacity": 0.35 },
    },
    {
      id: LINE_LAYER,
      type: "line",
      ...source,
      filter: typeFilter(types),
      paint: { "line-color": colorByType, "line-width": lineWidthByType, "line-opacity": 0.85 },
      layout: { "line-join": "round" },
    },
    {
      id: SELECTED_TILE_LAYER,
      type: "line",
      ...source,
      filter: idFilter([]),
      paint: { "line-color": "#111111", "line-width": 3 },
    },
    {
      id: "selected-casing",
      type: "line",
      source: SELECTED_SOURCE,
      paint: { "line-color": "#ffffff", "line-width": 6, "line-opacity": 0.9 },
    },
    { id: "selected-line", type: "line", source: SELECTED_SOURCE, paint: { "line-color": "#111111", "line-width": 3 } },
  ];
}

/** A changed zone's two versions: new = blue fill and solid outline, old = dashed red outline drawn on top. */
export function comparisonLayers(): LayerSpecification[] {
  return [
    {
      id: "compare-new-fill",
      type: "fill",
      source: COMPARE_NEW_SOURCE,
      paint: { "fill-color": COMPARE_NEW_COLOR, "fill-opacity": 0.22 },
    },
    {
      id: "compare-new-line",
      type: "line",
      source: COMPARE_NEW_SOURCE,
      paint: { "line-color": COMPARE_NEW_COLOR, "line-width": 2.5 },
      layout: { "line-join": "round" },
    },
    {
      id: "compare-old-line",
      type: "line",
      source: COMPARE_OLD_SOURCE,
      paint: { "line-color": COMPARE_OLD_COLOR, "line-width": 2.5, "line-dasharray": [2, 1.5] },
      layout: { "line-join": "round" },
    },
  ];
}

/** The name shown on the map: `name:<lang>` when the zone has it, else its name ("" = local names). */
export function labelText(lang: string): ExpressionSpecification {
  return (lang ? ["coalesce", ["get", `name:${lang}`], ["get", "name"]] : ["get", "name"]) as ExpressionSpecification;
}

/**
 * The font the names are drawn with on a basemap. A style has one glyphs URL: a basemap that brings one serves its
 * own fonts, not ours, so the names use the first font stack its own symbol layers name (null when it names none:
 * then no font is known to exist there and the names are left out). A basemap without glyphs gets ours
 * (`glyphsUrl`) and our font (LABEL_FONT_STACK).
 */
export function basemapLabelFont(style: Pick<StyleSpecification, "glyphs" | "layers">): string[] | null {
  if (!style.glyphs) return [LABEL_FONT_STACK];
  for (const layer of style.layers) {
    const font = layer.type === "symbol" ? layer.layout?.["text-font"] : undefined;
    // A font stack is a list of names; an expression (["get", …], ["literal", …]) is not one to reuse.
    if (Array.isArray(font) && font.length > 0 && font.every((f) => typeof f === "string") && !isExpression(font))
      return font as string[];
  }
  return null;
}

/**
 * Zone names at their label points, larger zones in larger type and placed first (symbol-sort-key: admin level),
 * so where names collide the country's wins over a commune's.
 */
export function labelLayer(
  types: readonly string[],
  lang: string,
  font: string[] = [LABEL_FONT_STACK],
): SymbolLayerSpecification {
  return {
    id: LABEL_LAYER,
    type: "symbol",
    source: ZONES_SOURCE,
    "source-layer": LABELS_SOURCE_LAYER,
    filter: typeFilter(types),
    layout: {
      "text-field": labelText(lang),
      "text-font": font,
      "text-size": [
        "match",
        ["get", "zone_type"],
        "country",
        16,
        ["country_region", "state"],
        14,
        "state_district",
        13,
        "city",
        12,
        11,
      ] as unknown as ExpressionSpecification,
      "text-max-width": 8,
      "symbol-sort-key": ["coalesce", ["get", "admin_level"], 99] as unknown as ExpressionSpecification,
      "text-padding": 4,
    },
    paint: {
      "text-color": "#1d2733",
      "text-halo-color": "#ffffff",
      "text-halo-width": 1.5,
    },
  };
}
