// MapLibre's CSP build: its worker is a separate file served from our own origin, so the page's
// Content-Security-Policy needs no `blob:` worker source (the default build inlines the worker as a blob).
import type * as MapLibre from "maplibre-gl";
import maplibreCsp from "maplibre-gl/dist/maplibre-gl-csp.js";
import workerUrl from "maplibre-gl/dist/maplibre-gl-csp-worker.js?url";
import "maplibre-gl/dist/maplibre-gl.css";

const maplibregl = maplibreCsp as typeof MapLibre;
maplibregl.setWorkerUrl(new URL(workerUrl, window.location.href).href);

export default maplibregl;
export type { MapLibre };
