#!/usr/bin/env node
// A stand-in for the `cosmo` entrypoint used by the runner-semantics tests: a few tiny commands that start in
// milliseconds, so the tests exercise the runner rather than the stages. (The end-to-end test runs the real CLI.)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

const [cmd, ...args] = process.argv.slice(2);
switch (cmd) {
  case "echo":
    process.stdout.write(`${args.join(" ")}\n`);
    break;
  case "write":
    mkdirSync(dirname(args[0]), { recursive: true });
    writeFileSync(args[0], args.slice(1).join(" "));
    break;
  case "cat":
    process.stdout.write(readFileSync(args[0], "utf8"));
    break;
  case "fail":
    process.stderr.write(`error: failing on purpose\n`);
    process.exit(Number(args[0] ?? 1));
    break;
  case "flaky": {
    // Fails the first N calls (counted in a file) with the exit code given (default 1), then succeeds and prints
    // the attempt number.
    const [counter, failures, code = "1"] = args;
    const n = (existsSync(counter) ? Number(readFileSync(counter, "utf8")) : 0) + 1;
    writeFileSync(counter, String(n));
    if (n <= Number(failures)) {
      process.stderr.write(`error: flaky failure ${n}\n`);
      process.exit(Number(code));
    }
    process.stdout.write(`ok after ${n}\n`);
    break;
  }
  case "touch-fail":
    // Marks that it ran, then fails: lets a test order "this failed" before another step ends.
    writeFileSync(args[0], "x");
    process.stderr.write("error: failing on purpose\n");
    process.exit(1);
    break;
  case "waitfor": {
    const until = Date.now() + 60_000;
    while (!existsSync(args[0]) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, Number(args[1] ?? 0) * 1000));
    break;
  }
  case "sleep":
    await new Promise((r) => setTimeout(r, Number(args[0]) * 1000));
    break;
  case "env":
    process.stdout.write(`${process.env[args[0]] ?? ""}\n`);
    break;
  default:
    process.stderr.write(`error: unknown fake command ${cmd}\n`);
    process.exit(2);
}
