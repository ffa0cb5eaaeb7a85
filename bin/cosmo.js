#!/usr/bin/env node
// Entry point installed as `cosmo`: registers tsx so the TypeScript sources run as they are (no build step).
import { register } from "tsx/esm/api";

register();
await import("../cli.ts");
