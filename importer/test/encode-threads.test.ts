// How many worker threads a load uses: none for small files, and only cores left over by the main thread and
// the PostgreSQL backend (on 2 cores the workers' own CPU slowed the load down: docs/importer.md).
import { describe, expect, it } from "vitest";
import { encodeThreads } from "../encode-pool.ts";

describe("encodeThreads", () => {
  it("uses no worker for small files, whatever the cores", () => {
    expect(encodeThreads(1 << 20, 16)).toBe(0);
  });

  it("leaves a core to the main thread and one to the backend, and uses at most 4", () => {
    expect(encodeThreads(1 << 30, 1)).toBe(0);
    expect(encodeThreads(1 << 30, 2)).toBe(0);
    expect(encodeThreads(1 << 30, 3)).toBe(1);
    expect(encodeThreads(1 << 30, 4)).toBe(2);
    expect(encodeThreads(1 << 30, 32)).toBe(4);
  });
});
