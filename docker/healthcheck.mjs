// HEALTHCHECK for the Node service images: exit 0 when the URL answers 2xx within 2 s, else 1.
// Plain Node (no curl/wget in the slim base image, and no dependency to load).
const url = process.argv[2];
if (!url) {
  console.error("usage: healthcheck.mjs URL");
  process.exit(2);
}
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  process.exit(res.ok ? 0 : 1);
} catch (err) {
  console.error(`healthcheck ${url}: ${err.message}`);
  process.exit(1);
}
