/// <reference types="vite/client" />
// The CSP build of MapLibre is a UMD bundle without its own typings; src/maplibre.ts casts it to the real types.
declare module "maplibre-gl/dist/maplibre-gl-csp.js" {
  const maplibre: unknown;
  export default maplibre;
}
