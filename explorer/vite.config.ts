// Vite builds the explorer (two pages: the map and the dashboard) into explorer/dist, which nginx serves.
// Hashed file names under /assets/ let nginx cache them for a year; the HTML pages stay revalidated.
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
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
