// The stats sidecar: `OUT.meta.json` next to every zones file the extractor or `cosmo merge` writes, holding the
// cosmogony `meta` object ({osm_filename, stats}) — what a `.json` file carries under "meta", and the only place
// a `.jsonl[.gz]` file's stats can travel (the dashboard's checks read it). Written once the zones file is
// complete, atomically: a temporary name renamed for a local path, one PUT for s3://.
import { randomBytes } from "node:crypto";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { isRemote, parseArtefactUrl } from "../core/artefact-url.ts";
import { type CosmogonyMeta, CosmogonyMetaSchema } from "../core/cosmogony/model.ts";
import { InputError } from "../core/errors.ts";
import { openStore } from "../core/storage.ts";

/** Where the sidecar of zones file `zonesFile` (path, file:// or s3:// URL) lives. */
export function sidecarOf(zonesFile: string): string {
  return `${zonesFile}.meta.json`;
}

/** The meta object as the format writes it (the same JSON the `.json` writer puts under "meta"). */
export function metaObject(meta: Partial<CosmogonyMeta>): CosmogonyMeta {
  return CosmogonyMetaSchema.parse({ osm_filename: meta.osm_filename ?? "", ...meta });
}

export async function writeMetaSidecar(zonesFile: string, meta: CosmogonyMeta): Promise<void> {
  const target = sidecarOf(zonesFile);
  const body = `${JSON.stringify(meta)}\n`;
  if (isRemote(target)) {
    await (await openStore()).put(target, body, { contentType: "application/json" });
    return;
  }
  const loc = parseArtefactUrl(target);
  if (loc.kind !== "file") throw new Error(`unexpected sidecar location ${target}`);
  const tmp = join(dirname(loc.path), `.${basename(loc.path)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    await writeFile(tmp, body);
    await rename(tmp, loc.path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** The sidecar of `zonesFile`, or null when there is none. A sidecar that is not a meta object is bad input. */
export async function readMetaSidecar(zonesFile: string): Promise<CosmogonyMeta | null> {
  const target = sidecarOf(zonesFile);
  let text: string;
  if (isRemote(target)) {
    const store = await openStore();
    if (!(await store.exists(target))) return null;
    text = (await store.getBuffer(target)).toString("utf8");
  } else {
    const loc = parseArtefactUrl(target);
    if (loc.kind !== "file") return null;
    try {
      text = await readFile(loc.path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    }
  }
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
