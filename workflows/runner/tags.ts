// `{{…}}` substitution with Argo's names. A tag nobody defined is an error naming the tag and where it was.
import { CosmoError } from "../../core/errors.ts";

export type Scope = Map<string, string>;

const TAG = /\{\{([^{}]*)\}\}/g;

/** Replace every tag; `keep` lets a first pass leave tags that a later scope resolves (e.g. inputs.*). */
export function substitute(text: string, scope: Scope, where: string, keep?: (tag: string) => boolean): string {
  return text.replace(TAG, (whole, raw: string) => {
    const tag = raw.trim();
    if (tag.startsWith("="))
      throw new CosmoError(`${where}: expression tag "${whole}" is not supported by the local runner`);
    const value = scope.get(tag);
    if (value !== undefined) return value;
    if (keep?.(tag)) return whole;
    throw new CosmoError(`${where}: unresolved tag ${whole}`);
  });
}

/** Substitute in every string of a JSON-like value. */
export function substituteDeep<T>(value: T, scope: Scope, where: string, keep?: (tag: string) => boolean): T {
  if (typeof value === "string") return substitute(value, scope, where, keep) as T;
  if (Array.isArray(value)) return value.map((v, i) => substituteDeep(v, scope, `${where}[${i}]`, keep)) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substituteDeep(v, scope, `${where}.${k}`, keep)]),
    ) as T;
  }
  return value;
}

/** `{{item}}` and, for object items, `{{item.field}}`. */
export function itemScope(item: unknown): [string, string][] {
  const entries: [string, string][] = [["item", typeof item === "string" ? item : JSON.stringify(item)]];
  if (item && typeof item === "object" && !Array.isArray(item)) {
    for (const [k, v] of Object.entries(item))
      entries.push([`item.${k}`, typeof v === "string" ? v : JSON.stringify(v)]);
  }
  return entries;
}

export function extend(scope: Scope, entries: Iterable<[string, string]>): Scope {
  const s = new Map(scope);
  for (const [k, v] of entries) s.set(k, v);
  return s;
}
