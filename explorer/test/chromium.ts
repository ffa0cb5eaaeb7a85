// Debian's Chromium for the explorer's browser tests and `make bench-explorer`, launched as DEVELOPERS.md says:
// headless, with the flags below and a fresh profile folder.
import { rmSync } from "node:fs";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { tmpDir } from "../../core/testing.ts";

export const CHROMIUM_BIN = process.env.CHROMIUM_BIN ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface HeadlessChromium {
  context: BrowserContext;
  /** Closes the browser and removes its profile folder. */
  close(): Promise<void>;
}

export async function launchChromium(viewport = { width: 1280, height: 800 }): Promise<HeadlessChromium> {
  const profile = tmpDir("chromium-profile");
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_BIN,
      headless: true,
      args: [...CHROMIUM_ARGS],
      viewport,
    });
    return {
      context,
      close: async () => {
        try {
          await context.close();
        } finally {
          rmSync(profile, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Records into `problems` what a page's assertions might not see: console errors, uncaught page errors and failed
 * requests — but net::ERR_ABORTED, MapLibre cancelling tiles that left the view (or a navigation).
 */
export function recordProblems(page: Page, problems: string[]): void {
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => {
    if (r.failure()?.errorText !== "net::ERR_ABORTED")
      problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
}
