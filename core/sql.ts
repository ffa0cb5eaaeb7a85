// SQL lives in .sql files beside the code that runs it; this reads one relative to the caller's module and
// fills its `{{name}}` placeholders, the one template syntax of the tree. Placeholders stand for what a query
// parameter ($1) cannot: identifiers (schema and table names, quoted here, so no caller quotes them), numbers
// written into DDL, and SQL fragments the code builds (another .sql file, a band's WHERE clause).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { escapeIdentifier } from "pg";

/** SQL text put into a template as is: built by our code or read from our .sql files, never from input. */
export class SqlFragment {
  constructor(readonly text: string) {}
}

/** Marks `text` as SQL to insert as is (see SqlFragment). */
export function sqlFragment(text: string): SqlFragment {
  return new SqlFragment(text);
}

/**
 * What a placeholder becomes: a string is one identifier and an array a qualified one (`["zones_v3", "zones"]`
 * → `"zones_v3"."zones"`), each part quoted; a number is written as a literal; a fragment goes in as is.
 */
export type SqlValue = string | readonly string[] | number | SqlFragment;

const PLACEHOLDER = /\{\{(\w+)\}\}/g;

/** A quoted SQL identifier: what a template does with a string value, for the few statements built in code. */
export function ident(name: string): string {
  return escapeIdentifier(name);
}

function render(value: SqlValue, key: string, where: string): string {
  if (typeof value === "string") return ident(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`${where}: {{${key}}} is not a finite number (${value})`);
    return String(value);
  }
  if (value instanceof SqlFragment) return value.text;
  return value.map(ident).join(".");
}

/** `template` with every `{{name}}` replaced by `values.name` (see SqlValue); `where` names it in errors. */
export function fillSql(template: string, values: Readonly<Record<string, SqlValue>>, where: string): string {
  if (!template.includes("{{")) return template;
  return template.replace(PLACEHOLDER, (_m, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`${where}: no value for the placeholder {{${key}}}`);
    return render(value, key, where);
  });
}

const cache = new Map<string, string>();

/**
 * `loadSql(import.meta.url, "sql/tile.sql", { schema })` → the file's text (read once) with its placeholders
 * filled (fillSql; a placeholder left without a value is an error naming the file). Without `values`, the text
 * as is: a template its caller fills later (dashboard/workspace.ts) or a file that has no placeholder.
 */
export function loadSql(moduleUrl: string, relativePath: string, values?: Readonly<Record<string, SqlValue>>): string {
  const path = fileURLToPath(new URL(relativePath, moduleUrl));
  let text = cache.get(path);
  if (text === undefined) {
    text = readFileSync(path, "utf8");
    cache.set(path, text);
  }
  return values === undefined ? text : fillSql(text, values, path);
}

/** `const sql = sqlFiles(import.meta.url)`: `sql("x.sql", values)` is loadSql of the module's `sql/x.sql`. */
export function sqlFiles(moduleUrl: string): (name: string, values?: Readonly<Record<string, SqlValue>>) => string {
  return (name, values) => loadSql(moduleUrl, `sql/${name}`, values);
}
