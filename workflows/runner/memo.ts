// A container template's `memoize`, honoured on this machine with Argo's meaning: a step whose key (the input
// key of what it reads) succeeded within `maxAge` is not run again; its node succeeds with the outputs saved
// then. Argo keeps the entries in the `cache.configMap` ConfigMap; here they are objects in the artefact store
// (`workflows/memo/<configMap>/<key>.json`), beside the artefacts they vouch for, so that a fresh store (a new
// test bucket, a wiped demo) starts with an empty cache, as a new namespace does.
import { CosmoError } from "../../core/errors.ts";
import type { ArtefactStore } from "../../core/storage.ts";
import { parseDurationSeconds } from "./duration.ts";
import type { Template } from "./library.ts";
import { emptyOutputs, type Outcome } from "./outcome.ts";
import { type Scope, substitute } from "./tags.ts";

export interface Memo {
  url: string;
  key: string;
  configMap: string;
  maxAgeSeconds: number;
}

interface Entry {
  key: string;
  node: string;
  createdAt: string;
  outputs: { parameters: Record<string, string>; result?: string; artifacts: Record<string, string> };
}

/** Argo's rule for a ConfigMap key, which a memo key becomes. */
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]{1,253}$/;

/** Template `t`'s memoize with its tags resolved; undefined when it has none. */
export function memoOf(t: Template, scope: Scope, where: string, bucket: string): Memo | undefined {
  const m = t.memoize;
  if (!m) return undefined;
  const key = substitute(m.key, scope, `${where}.memoize.key`);
  if (!CONFIG_MAP_KEY.test(key))
    throw new CosmoError(`${where}.memoize.key "${key}" is not a valid ConfigMap key (letters, digits, - _ .)`);
  const configMap = m.cache?.configMap?.name;
  if (!configMap) throw new CosmoError(`${where}.memoize.cache.configMap.name is missing`);
  const maxAgeSeconds = parseDurationSeconds(m.maxAge, `${where}.memoize.maxAge`);
  if (maxAgeSeconds === undefined) throw new CosmoError(`${where}.memoize.maxAge is missing`);
  return { url: `s3://${bucket}/workflows/memo/${configMap}/${key}.json`, key, configMap, maxAgeSeconds };
}

/** The saved outcome of `memo`'s key, if one is younger than maxAge (a damaged entry is a miss). */
export async function memoHit(store: ArtefactStore, memo: Memo): Promise<Outcome | undefined> {
  if (!(await store.exists(memo.url))) return undefined;
  let entry: Entry;
  try {
    entry = JSON.parse((await store.getBuffer(memo.url)).toString("utf8")) as Entry;
  } catch {
    return undefined;
  }
  const age = (Date.now() - Date.parse(entry.createdAt)) / 1000;
  if (!(age >= 0 && age <= memo.maxAgeSeconds)) return undefined;
  const outputs = emptyOutputs();
  for (const [k, v] of Object.entries(entry.outputs.parameters)) outputs.parameters.set(k, v);
  for (const [k, v] of Object.entries(entry.outputs.artifacts)) outputs.artifacts.set(k, v);
  outputs.result = entry.outputs.result;
  return {
    phase: "Succeeded",
    message: `memoized: ${memo.configMap}/${memo.key.slice(0, 24)}… from ${entry.node} (${entry.createdAt})`,
    outputs,
  };
}

/** Saves a succeeded outcome under `memo`'s key (Argo saves succeeded nodes only). */
export async function memoSave(store: ArtefactStore, memo: Memo, node: string, outcome: Outcome): Promise<void> {
  const entry: Entry = {
    key: memo.key,
    node,
    createdAt: new Date().toISOString(),
    outputs: {
      parameters: Object.fromEntries(outcome.outputs.parameters),
      result: outcome.outputs.result,
      artifacts: Object.fromEntries(outcome.outputs.artifacts),
    },
  };
  await store.put(memo.url, JSON.stringify(entry), { contentType: "application/json" });
}
