// A database or S3 server that does not answer: exit 5 (a service unavailable) and a message naming the service
// and its address, not a crash with a raw ECONNREFUSED. Real closed ports, real `cosmo` processes.
import { spawn } from "node:child_process";
import { describe, expect, test } from "vitest";
import { freePort } from "../ports.ts";
import { COSMO_BIN } from "../testing.ts";

function cosmo(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [COSMO_BIN, ...args], {
      env: { ...process.env, COSMO_LOG_LEVEL: "error", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stderr }));
  });
}

describe("unreachable services", () => {
  test("database: exit 5 naming PostgreSQL and its address (no password in the message)", async () => {
    const port = await freePort(); // nothing listens there
    const r = await cosmo(["api", "serve", "--port", "0", "--host", "127.0.0.1"], {
      DATABASE_URL: `postgres://cosmo:hunter2@127.0.0.1:${port}/cosmo`,
    });
    expect(r.stderr).toMatch(
      new RegExp(
        `^error: database \\(PostgreSQL\\) at 127\\.0\\.0\\.1:${port}/cosmo unreachable \\(ECONNREFUSED\\)`,
        "m",
      ),
    );
    expect(r.stderr).not.toContain("hunter2");
    expect(r.status).toBe(5);
  });

  test("S3: exit 5 naming the S3 server and its endpoint", async () => {
    const port = await freePort();
    for (const args of [
      ["store", "ls", "s3://cosmo/x/"],
      ["store", "stat", "s3://cosmo/x.json"],
    ]) {
      const r = await cosmo(args, {
        S3_ENDPOINT: `http://127.0.0.1:${port}`,
        S3_ACCESS_KEY: "k",
        S3_SECRET_KEY: "s",
      });
      expect(r.stderr).toMatch(
        new RegExp(`^error: S3 server at http://127\\.0\\.0\\.1:${port} unreachable \\(ECONNREFUSED\\)`, "m"),
      );
      expect(r.status, args.join(" ")).toBe(5);
    }
  });
});
