// The file hash that runs beside the load (file-sha256.ts): the same digest as node:crypto over the whole file,
// a read error named with the file, and a stop that ends the worker at once.
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tmpDir } from "../../core/testing.ts";
import { sha256InWorker } from "../file-sha256.ts";

const dir = tmpDir("file-sha256");

describe("sha256InWorker", () => {
  it("gives the SHA-256 of the whole file, over several reads", async () => {
    // 3.5 MB of varied bytes: more than one 1 MB read
    const bytes = Buffer.alloc(3_500_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
    const path = join(dir, "bytes.bin");
    await writeFile(path, bytes);
    expect(await sha256InWorker(path)).toBe(createHash("sha256").update(bytes).digest("hex"));
  });

  it("names the file it cannot read", async () => {
    const path = join(dir, "missing.jsonl");
    await expect(sha256InWorker(path)).rejects.toThrow(/missing\.jsonl: cannot hash the file: ENOENT/);
  });

  it("is stopped by its signal: rejects with the reason, before or while hashing", async () => {
    const path = join(dir, "stopped.bin");
    await writeFile(path, Buffer.alloc(1_000_000, 7));
    const before = new AbortController();
    before.abort(new Error("the import is over"));
    await expect(sha256InWorker(path, before.signal)).rejects.toThrow("the import is over");
    const during = new AbortController();
    const hashing = sha256InWorker(path, during.signal);
    during.abort(new Error("stopped meanwhile"));
    await expect(hashing).rejects.toThrow("stopped meanwhile");
  });
});
