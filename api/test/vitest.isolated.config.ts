// TEMPORARY: `npx vitest run --config api/test/vitest.isolated.config.ts api tiles` (see isolated-setup.ts).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/test/**/*.test.ts"],
    exclude: ["node_modules/**", "data/**", ".data/**", "tmp/**"],
    globalSetup: ["./api/test/isolated-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: "forks",
    maxWorkers: 2,
  },
});
