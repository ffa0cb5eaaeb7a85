// The one SQL template of the tree: identifiers are quoted by the template, never by its callers.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { fillSql, loadSql, sqlFiles, sqlFragment } from "../sql.ts";

describe("fillSql", () => {
  it("quotes a string as one identifier, an array as a qualified one", () => {
    expect(fillSql("SELECT * FROM {{t}}", { t: 'we"ird.name' }, "q")).toBe('SELECT * FROM "we""ird.name"');
    expect(fillSql("SELECT * FROM {{t}}", { t: ["zones_v3", "zones"] }, "q")).toBe('SELECT * FROM "zones_v3"."zones"');
  });

  it("writes numbers and puts fragments in as they are", () => {
    const text = fillSql(
      "ST_Simplify(g, {{tol}}) WHERE {{filter}}",
      { tol: 0.5, filter: sqlFragment("a IN ('x')") },
      "q",
    );
    expect(text).toBe("ST_Simplify(g, 0.5) WHERE a IN ('x')");
  });

  it("fills every occurrence and leaves other braces alone", () => {
    expect(fillSql("{{s}}.a JOIN {{s}}.b WHERE x = '{}'", { s: "v1" }, "q")).toBe(`"v1".a JOIN "v1".b WHERE x = '{}'`);
  });

  it("refuses a placeholder without a value, and a number that is not finite, naming the template", () => {
    expect(() => fillSql("SELECT {{a}}, {{b}}", { a: "x" }, "sql/two.sql")).toThrow(
      "sql/two.sql: no value for the placeholder {{b}}",
    );
    expect(() => fillSql("LIMIT {{n}}", { n: Number.NaN }, "sql/limit.sql")).toThrow(/sql\/limit\.sql: \{\{n\}\}/);
  });
});

describe("loadSql", () => {
  const dir = mkdtempSync(join(tmpdir(), "cosmo-sql-"));
  const moduleUrl = pathToFileURL(join(dir, "module.ts")).href;
  writeFileSync(join(dir, "drop.sql"), "DROP SCHEMA IF EXISTS {{schema}} CASCADE\n");
  mkdirSync(join(dir, "sql"));
  writeFileSync(join(dir, "sql", "rename.sql"), "ALTER TABLE {{from}} RENAME TO {{to}}\n");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads a file beside the module and fills it; without values it returns the template", () => {
    expect(loadSql(moduleUrl, "drop.sql", { schema: "zones_v2" })).toBe('DROP SCHEMA IF EXISTS "zones_v2" CASCADE\n');
    expect(loadSql(moduleUrl, "drop.sql")).toBe("DROP SCHEMA IF EXISTS {{schema}} CASCADE\n");
  });

  it("names the file when a placeholder has no value", () => {
    expect(() => loadSql(moduleUrl, "drop.sql", {})).toThrow(`${join(dir, "drop.sql")}: no value for the placeholder`);
  });

  it("sqlFiles reads the module's sql/ folder", () => {
    const sql = sqlFiles(moduleUrl);
    expect(sql("rename.sql", { from: ["public", "zones"], to: "zones_old" })).toBe(
      'ALTER TABLE "public"."zones" RENAME TO "zones_old"\n',
    );
  });
});
