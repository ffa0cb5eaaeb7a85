// Prints "N passed, N failed[, N skipped]" from a JUnit report (vitest's junit reporter).
import { readFileSync } from "node:fs";

const file = process.argv[2] ?? "test-results/junit.xml";
let xml;
try {
  xml = readFileSync(file, "utf8");
} catch {
  console.log("0 passed, 1 failed");
  console.error(`no test report at ${file}`);
  process.exit(1);
}
const root = xml.match(/<testsuites\b[^>]*>/)?.[0] ?? "";
const attr = (name) => Number(root.match(new RegExp(`\\b${name}="(\\d+)"`))?.[1] ?? 0);
const tests = attr("tests");
const failed = attr("failures") + attr("errors");
const skipped = (xml.match(/<skipped\b/g) ?? []).length;
const passed = tests - failed - skipped;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
if (tests === 0) process.exit(1);
