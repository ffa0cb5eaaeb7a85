// Vite builds the explorer (two pages: the map and the dashboard) into explorer/dist, which nginx serves.
// Hashed file names under /assets/ let nginx cache them for a year; the HTML pages stay revalidated.
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

/**
 * MapLibre's worker script (~450 KB) is only requested once the map is created, after the main script ran.
 * Preloading it from the map page lets both download together; the worker then comes from the HTTP cache
 * (hashed name, cached for a year by nginx).
 */
function preloadMapWorker(): Plugin {
  return {
    name: "cosmo-preload-map-worker",
    apply: "build",
    transformIndexHtml: {
      order: "post",
      handler(html, ctx) {
        const worker = Object.keys(ctx.bundle ?? {}).find((f) => /maplibre-gl-csp-worker-[\w-]+\.js$/.test(f));
        if (!worker || !ctx.path.endsWith("/index.html")) return html; // the dashboard page has no map
        return html.replace("</head>", `    <link rel="preload" href="/${worker}" as="script" />\n  </head>`);
      },
    },
  };
}

export default defineConfig({
  plugins: [preloadMapWorker()],
  root,
  base: "/",
  publicDir: resolve(root, "public"),
  logLevel: "warn",
  build: {
    outDir: resolve(root, "dist"),
    emptyOutDir: true,
    assetsDir: "assets",
    // The map library is one large chunk by nature; warning about it helps nobody.
    chunkSizeWarningLimit: 1500,
    sourcemap: false,
    rollupOptions: {
      input: {
        main: resolve(root, "index.html"),
        dashboard: resolve(root, "dashboard.html"),
      },
    },
  },
  server: {
    // `vite` in explorer/ for UI work: point these at running services (cosmo api serve / cosmo tiles serve).
    proxy: {
      "/api/": {
        target: process.env.COSMO_DEV_API ?? "http://127.0.0.1:3000",
        rewrite: (p) => p.replace(/^\/api/, ""),
      },
      "/tiles/": { target: process.env.COSMO_DEV_TILES ?? "http://127.0.0.1:3001" },
    },
  },
});
