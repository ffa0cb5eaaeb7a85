// The stats sidecar: `OUT.meta.json` next to every zones file the extractor or `cosmo merge` writes, holding the
// cosmogony `meta` object ({osm_filename, stats}) — what a `.json` file carries under "meta", and the only place
// a `.jsonl[.gz]` file's stats can travel (the dashboard's checks read it). Written once the zones file is
// complete, atomically: a temporary name renamed for a local path, one PUT for s3:// (core/storage.ts#putArtefact).
import { sidecarOf } from "../core/cosmogony/format.ts";
import { type CosmogonyMeta, CosmogonyMetaSchema } from "../core/cosmogony/model.ts";
import { InputError } from "../core/errors.ts";
import { putArtefact, readArtefactText } from "../core/storage.ts";

/** The meta object as the format writes it (the same JSON the `.json` writer puts under "meta"). */
export function metaObject(meta: Partial<CosmogonyMeta>): CosmogonyMeta {
  return CosmogonyMetaSchema.parse({ osm_filename: meta.osm_filename ?? "", ...meta });
}

export async function writeMetaSidecar(zonesFile: string, meta: CosmogonyMeta): Promise<void> {
  await putArtefact(sidecarOf(zonesFile), `${JSON.stringify(meta)}\n`, { contentType: "application/json" });
}

/** The sidecar of `zonesFile`, or null when there is none. A sidecar that is not a meta object is bad input. */
export async function readMetaSidecar(zonesFile: string): Promise<CosmogonyMeta | null> {
  const target = sidecarOf(zonesFile);
  const text = await readArtefactText(target);
  if (text === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new InputError(`not JSON: ${(err as Error).message}`, { file: target });
  }
  const meta = CosmogonyMetaSchema.safeParse(parsed);
  if (!meta.success) {
    throw new InputError(`not a cosmogony meta object: ${meta.error.issues[0]?.message ?? "invalid"}`, {
      file: target,
    });
  }
  return meta.data;
}
