import { defineConfig } from "vitest/config";

// One PostgreSQL+PostGIS cluster and one S3-protocol server per test run (core/testing-setup.ts);
// each suite makes its own database / bucket on them.
export default defineConfig({
  test: {
    include: ["**/test/**/*.test.ts"],
    exclude: ["node_modules/**", "data/**", ".data/**", "tmp/**"],
    globalSetup: ["./core/testing-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: "forks",
    maxWorkers: 2,
    reporters: ["default", "junit"],
    outputFile: { junit: "test-results/junit.xml" },
  },
});
