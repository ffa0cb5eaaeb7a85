// The parameters `cosmo workflows run-local` starts a WorkflowTemplate with: the given ones, the local artefact
// bucket, and — for the update pipeline — the bundled Luxembourg extract instead of the template's default
// regions (the eight Geofabrik continents, tens of GB: what a cluster runs, never what a local run should start
// downloading because a parameter was forgotten).
import { existsSync } from "node:fs";
import { CosmoError, EXIT, InputError } from "../../core/errors.ts";
import { projectPath } from "../../core/paths.ts";
import type { RenderedDoc } from "../render.ts";

/** The extract `make demo` runs on (copied into data/osm by `make init`). */
export const LOCAL_EXTRACT = "data/osm/luxembourg_filtered.osm.pbf";

export function localRegions(): { name: string; url: string; countryCode: string }[] {
  const path = projectPath(LOCAL_EXTRACT);
  if (!existsSync(path))
    throw new InputError("the bundled extract is missing (run `make init`), or pass --param regions=[…]", {
      file: path,
    });
  return [{ name: "luxembourg_filtered", url: path, countryCode: "" }];
}

function declaredParams(docs: RenderedDoc[], template: string): string[] {
  const doc = docs.find(
    (d) => d.doc.kind === "WorkflowTemplate" && (d.doc.metadata as { name: string }).name === template,
  );
  return ((doc?.doc.spec as { arguments?: { parameters?: { name: string }[] } })?.arguments?.parameters ?? []).map(
    (p) => p.name,
  );
}

export function runLocalParams(
  docs: RenderedDoc[],
  template: string,
  given: Record<string, string>,
  localBucket: string,
): { params: Record<string, string>; notes: string[] } {
  const declared = declaredParams(docs, template);
  const params = { ...given };
  const notes: string[] = [];
  if (declared.includes("bucket")) {
    // Locally the default artifact repository is the configured store's bucket: the steps must use it too.
    if (params.bucket === undefined) params.bucket = localBucket;
    if (params.bucket !== localBucket)
      throw new CosmoError(
        `--param bucket=${params.bucket} differs from the local artefact bucket ${localBucket} (set S3_BUCKET instead)`,
        { exitCode: EXIT.input },
      );
  }
  if (declared.includes("regions") && params.regions === undefined) {
    params.regions = JSON.stringify(localRegions());
    notes.push(
      `regions: the bundled ${LOCAL_EXTRACT} (the template's default is the continent extracts; pass --param regions='[{"name":…,"url":…,"countryCode":""}]' to run others)`,
    );
  }
  return { params, notes };
}
