// Worker bootstrap in plain JavaScript: worker threads do not inherit the parent's tsx loader (neither
// under `node bin/cosmo.js` nor under vitest), so register tsx here before loading the TypeScript worker.
import { register } from "tsx/esm/api";

register();
await import("./geometry-texts-worker.ts");
