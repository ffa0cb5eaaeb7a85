// The reference table of expected zone counts (data/dashboard/reference_stats_values.csv, the old dashboard's
// input). Every column is kept as it is so the old test_results.json can be rebuilt from our rows.
import { readFile } from "node:fs/promises";
import { InputError } from "../core/errors.ts";

/** A value of the CSV: numbers for numeric cells, null for empty ones, text otherwise. */
export type CsvValue = string | number | null;

export interface ReferenceRow {
  /** Every CSV column, in the file's column order. */
  columns: Record<string, CsvValue>;
  wikidataId: string;
  countryCode: string;
  zoneType: string;
  expectedMin: number;
  expectedMax: number;
  knownFailure: boolean;
  /** 2-based line number in the CSV (header = line 1), for messages. */
  line: number;
}

export interface ReferenceTable {
  file: string;
  header: string[];
  rows: ReferenceRow[];
}

/** RFC 4180 records: quoted fields may hold commas, doubled quotes and newlines. */
export function parseCsv(text: string, file: string): { fields: string[]; line: number }[] {
  const records: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const endField = () => {
    fields.push(field);
    field = "";
  };
  const endRecord = () => {
    endField();
    if (!(fields.length === 1 && fields[0] === "")) records.push({ fields, line: recordLine });
    fields = [];
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (c === "\n") line++;
        field += c;
      }
      i++;
      continue;
    }
    if (c === '"' && field === "") quoted = true;
    else if (c === ",") endField();
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      endRecord();
      line++;
      recordLine = line;
    } else field += c;
    i++;
  }
  if (quoted) throw new InputError("unterminated quoted field", { file, line: recordLine });
  if (field !== "" || fields.length) endRecord();
  return records;
}

const REQUIRED = ["wikidata_id", "country_code", "zone_type", "expected_min", "expected_max"] as const;

function cell(value: string): CsvValue {
  if (value === "") return null;
  return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
}

export function parseReference(text: string, file: string): ReferenceTable {
  const records = parseCsv(text.replace(/^\uFEFF/, ""), file);
  if (records.length === 0) throw new InputError("empty reference file", { file });
  const header = records[0].fields.map((h) => h.trim());
  for (const col of REQUIRED) {
    if (!header.includes(col)) throw new InputError(`missing column "${col}" in the header`, { file, line: 1 });
  }
  const rows: ReferenceRow[] = [];
  for (const rec of records.slice(1)) {
    if (rec.fields.length !== header.length) {
      throw new InputError(`expected ${header.length} fields, got ${rec.fields.length}`, { file, line: rec.line });
    }
    const columns: Record<string, CsvValue> = {};
    header.forEach((h, i) => {
      columns[h] = cell(rec.fields[i]);
    });
    const text = (k: string) => String(columns[k] ?? "").trim();
    const num = (k: string) => {
      const v = columns[k];
      if (typeof v !== "number") throw new InputError(`${k} is not a number ("${v ?? ""}")`, { file, line: rec.line });
      return v;
    };
    if (!/^Q\d+$/.test(text("wikidata_id"))) {
      throw new InputError(`wikidata_id "${text("wikidata_id")}" is not a wikidata id`, { file, line: rec.line });
    }
    rows.push({
      columns,
      wikidataId: text("wikidata_id"),
      countryCode: text("country_code").toUpperCase(),
      zoneType: text("zone_type"),
      expectedMin: num("expected_min"),
      expectedMax: num("expected_max"),
      knownFailure: /^(yes|true|1)$/i.test(text("is_known_failure")),
      line: rec.line,
    });
  }
  return { file, header, rows };
}

export async function readReference(file: string): Promise<ReferenceTable> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new InputError(
      `cannot read reference file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      {
        file,
      },
    );
  }
  return parseReference(text, file);
}
