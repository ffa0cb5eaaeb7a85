// Zone types in hierarchy order (largest first), as the filter buttons and lists show them, with their colours.
// The order mirrors core/cosmogony/model.ts ZONE_TYPES (reversed); kept here so the browser bundle stays free of
// server modules.

export const ZONE_TYPES_TOP_DOWN = [
  "country",
  "country_region",
  "state",
  "state_district",
  "city",
  "city_district",
  "suburb",
  "non_administrative",
] as const;

export type ZoneType = (typeof ZONE_TYPES_TOP_DOWN)[number];

export const ZONE_TYPE_LABELS: Record<ZoneType, string> = {
  country: "Country",
  country_region: "Country region",
  state: "State",
  state_district: "State district",
  city: "City",
  city_district: "City district",
  suburb: "Suburb",
  non_administrative: "Other",
};

// Distinct hues from a colour-blind-friendly palette (Okabe–Ito plus two), so filled areas stay readable.
export const ZONE_TYPE_COLORS: Record<ZoneType, string> = {
  country: "#0072b2",
  country_region: "#56b4e9",
  state: "#009e73",
  state_district: "#e69f00",
  city: "#d55e00",
  city_district: "#cc79a7",
  suburb: "#8c564b",
  non_administrative: "#7f7f7f",
};

export function isZoneType(value: unknown): value is ZoneType {
  return typeof value === "string" && (ZONE_TYPES_TOP_DOWN as readonly string[]).includes(value);
}

/** 0 for country … 7 for other; unknown types sort last. */
export function typeRank(type: string | null | undefined): number {
  const i = ZONE_TYPES_TOP_DOWN.indexOf(type as ZoneType);
  return i < 0 ? ZONE_TYPES_TOP_DOWN.length : i;
}

export function typeLabel(type: string | null | undefined): string {
  return isZoneType(type) ? ZONE_TYPE_LABELS[type] : (type ?? "untyped");
}

export function typeColor(type: string | null | undefined): string {
  return isZoneType(type) ? ZONE_TYPE_COLORS[type] : "#444444";
}
