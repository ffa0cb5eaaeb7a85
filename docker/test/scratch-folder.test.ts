// The stage images must give their non-root user the folder every workflow step writes under
// (workflows/templates/common.ts WORK). The chart mounts an emptyDir there, but a step run from the image alone
// (docker run, another chart) has only what the image made. `make images-check` verifies it in built images; this
// test keeps the Dockerfiles and the templates' constant in step without building anything.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { projectPath } from "../../core/paths.ts";
import { WORK } from "../../workflows/templates/common.ts";

const STAGE_IMAGES = ["extractor", "importer", "api", "tiles"];

describe("stage images' scratch folder", () => {
  for (const name of STAGE_IMAGES) {
    it(`${name}: the image makes ${WORK} and gives it to the user it runs as`, () => {
      const text = readFileSync(projectPath(`docker/${name}.Dockerfile`), "utf8");
      const user = /^USER\s+(\S+)/m.exec(text)?.[1];
      expect(user, "the image runs as a named non-root user").toBeTruthy();
      const runs = text
        .replace(/\\\n/g, " ")
        .split("\n")
        .filter((l) => l.startsWith("RUN "));
      const made = runs.some((l) => new RegExp(`mkdir -p [^&]*${WORK}(\\s|$)`).test(l));
      const owned = runs.some((l) => new RegExp(`chown ${user}:${user} [^&]*${WORK}(\\s|$)`).test(l));
      expect({ made, owned }).toEqual({ made: true, owned: true });
    });
  }
});
