// The URL fragment keeps the view and the selection: `#/{z}/{lng}/{lat}[/{id}]` (the old explorer's form,
// so its links keep working). Pure functions; main.ts wires them to history.

export interface HashState {
  zoom: number;
  lng: number;
  lat: number;
  id?: string;
}

export function parseHash(hash: string): HashState | null {
  const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean);
  if (parts.length < 3) return null;
  const [z, lng, lat, id] = parts;
  const zoom = Number(z);
  const lon = Number(lng);
  const la = Number(lat);
  if (![zoom, lon, la].every(Number.isFinite)) return null;
  if (zoom < 0 || zoom > 24 || Math.abs(lon) > 180 || Math.abs(la) > 90) return null;
  const state: HashState = { zoom, lng: lon, lat: la };
  if (id && /^-?\d+$/.test(id)) state.id = id;
  return state;
}

/** Precision follows the zoom so the URL stays short but a reload lands on the same pixels. */
export function formatHash(s: HashState): string {
  const digits = Math.max(2, Math.min(7, Math.ceil(Math.log10((2 ** s.zoom * 512) / 360))));
  const parts = [s.zoom.toFixed(2).replace(/\.?0+$/, ""), s.lng.toFixed(digits), s.lat.toFixed(digits)];
  if (s.id !== undefined) parts.push(s.id);
  return `#/${parts.join("/")}`;
}
