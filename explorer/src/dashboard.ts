// The dashboard page: summary of the dataset, a small ok/ko/skip chart per zone type and the results table.
import { fetchServedDataset, getJson, setApiBase } from "./api.ts";
import { loadAppConfig } from "./app-config.ts";
import {
  countsByType,
  type DashboardDoc,
  type DashboardRow,
  filterRows,
  parseDashboard,
  type SortKey,
  type Status,
  sortRows,
} from "./dashboard-data.ts";
import { $, h, replaceChildren } from "./dom.ts";
import { showError, track } from "./status.ts";
import { typeLabel, typeRank } from "./zone-types.ts";
import "./styles.css";

const config = await loadAppConfig();
setApiBase(config.apiBase);

const COLUMNS: { key: SortKey; title: string; numeric?: boolean }[] = [
  { key: "status", title: "Status" },
  { key: "name", title: "Zone" },
  { key: "countryCode", title: "Country" },
  { key: "zoneType", title: "Type" },
  { key: "localType", title: "Local name" },
  { key: "expectedMin", title: "Expected min", numeric: true },
  { key: "expectedMax", title: "Expected max", numeric: true },
  { key: "count", title: "Count", numeric: true },
];
const STATUS_COLORS: Record<Status, string> = { ok: "#2e7d32", ko: "#c62828", skip: "#9e9e9e" };

let doc: DashboardDoc = {
  rows: [],
  checks: [],
  zoneCount: null,
  datasetVersion: null,
  generatedAt: null,
  source: null,
};
let sortKey: SortKey = "status";
let sortDir: 1 | -1 = 1; // ko, ok, skip
const params = new URLSearchParams(window.location.search);

async function loadDoc(): Promise<DashboardDoc> {
  try {
    return parseDashboard(await getJson(`${config.dataBase}/dashboard/latest.json`, { what: "dashboard" }));
  } catch (err) {
    if ((err as { status?: number }).status !== 404) throw err;
    // Older deployments only have the cosmogony-data-dashboard array.
    return parseDashboard(
      await getJson(`${config.dataBase}/test_results.json`, { what: "dashboard (test_results.json)" }),
    );
  }
}

function renderHead(): void {
  replaceChildren(
    $("#results thead"),
    h(
      "tr",
      {},
      COLUMNS.map((c) =>
        h(
          "th",
          {
            scope: "col",
            class: c.numeric ? "num" : "",
            "aria-sort": c.key === sortKey ? (sortDir === 1 ? "ascending" : "descending") : "none",
          },
          h(
            "button",
            {
              type: "button",
              "data-sort": c.key,
              onclick: () => {
                sortDir = c.key === sortKey ? (sortDir === 1 ? -1 : 1) : 1;
                sortKey = c.key;
                render();
              },
            },
            c.title,
            c.key === sortKey ? (sortDir === 1 ? " ▲" : " ▼") : "",
          ),
        ),
      ),
    ),
  );
}

function cell(r: DashboardRow, key: SortKey): HTMLElement {
  switch (key) {
    case "status":
      return h(
        "td",
        {},
        h("span", { class: `pill ${r.status}` }, r.status),
        r.knownFailure ? h("span", { class: "muted", title: "known failure in the reference data" }, " known") : null,
      );
    case "name":
      return h(
        "td",
        {},
        r.zoneId !== null ? h("a", { href: `/?zone=${r.zoneId}`, title: "Show on the map" }, r.name) : r.name,
        r.wikidata
          ? h(
              "a",
              {
                class: "muted small",
                href: `https://www.wikidata.org/wiki/${r.wikidata}`,
                target: "_blank",
                rel: "noopener noreferrer",
              },
              ` ${r.wikidata}`,
            )
          : null,
      );
    case "zoneType":
      return h("td", {}, typeLabel(r.zoneType));
    default: {
      const v = r[key];
      return h("td", { class: typeof v === "number" || v === null ? "num" : "" }, v === null ? "–" : String(v));
    }
  }
}

function render(): void {
  renderHead();
  const text = ($("#filter") as HTMLInputElement).value;
  const st = ($("#status-filter") as HTMLSelectElement).value;
  const rows = sortRows(filterRows(doc.rows, text, st), sortKey, sortDir);
  replaceChildren(
    $("#results tbody"),
    rows.length
      ? rows.map((r) =>
          h(
            "tr",
            { class: `row-${r.status}` },
            COLUMNS.map((c) => cell(r, c.key)),
          ),
        )
      : h("tr", {}, h("td", { colspan: COLUMNS.length, class: "muted" }, "No row matches.")),
  );
  $("#row-count").textContent = `${rows.length} of ${doc.rows.length} rows`;
  const url = new URL(window.location.href);
  text ? url.searchParams.set("q", text) : url.searchParams.delete("q");
  st ? url.searchParams.set("status", st) : url.searchParams.delete("status");
  history.replaceState(null, "", url);
}

/** Stacked horizontal bars, one per zone type: hand-made SVG, far smaller than a chart library. */
function renderChart(): void {
  const counts = [...countsByType(doc.rows)].sort((a, b) => typeRank(a[0]) - typeRank(b[0]));
  const max = Math.max(1, ...counts.map(([, c]) => c.ok + c.ko + c.skip));
  const barH = 18;
  const labelW = 120;
  const width = 560;
  const svgNs = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(svgNs, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${counts.length * (barH + 6) + 20}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "ok / ko / skip per zone type");
  const el = (tag: string, attrs: Record<string, string | number>, text?: string) => {
    const e = document.createElementNS(svgNs, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    svg.append(e);
    return e;
  };
  counts.forEach(([type, c], i) => {
    const y = i * (barH + 6);
    el("text", { x: labelW - 6, y: y + barH - 5, "text-anchor": "end", class: "chart-label" }, typeLabel(type));
    let x = labelW;
    for (const s of ["ok", "ko", "skip"] as Status[]) {
      const w = ((width - labelW - 170) * c[s]) / max; // room for the counts after the bar
      if (w > 0)
        el("rect", { x, y, width: w, height: barH, fill: STATUS_COLORS[s] }).append(
          Object.assign(document.createElementNS(svgNs, "title"), { textContent: `${typeLabel(type)}: ${c[s]} ${s}` }),
        );
      x += w;
    }
    el("text", { x: x + 4, y: y + barH - 5, class: "chart-value" }, `${c.ok} ok · ${c.ko} ko · ${c.skip} skip`);
  });
  replaceChildren(
    $("#chart"),
    h("h2", {}, "Results per zone type"),
    h(
      "div",
      { class: "legend" },
      (["ok", "ko", "skip"] as Status[]).map((s) =>
        h("span", {}, h("span", { class: "dot", style: `background:${STATUS_COLORS[s]}` }), ` ${s}`),
      ),
    ),
    svg,
  );
}

/** Quality checks that did not pass (the dashboard document's `results`); all-ok says so in one line. */
function renderChecks(): void {
  const failing = doc.checks.filter((c) => c.status !== "ok" && c.status !== "skip");
  replaceChildren(
    $("#checks"),
    doc.checks.length ? h("h2", {}, "Quality checks") : null,
    !doc.checks.length
      ? null
      : failing.length
        ? h(
            "div",
            { class: "table-wrap" },
            h(
              "table",
              {},
              h(
                "thead",
                {},
                h(
                  "tr",
                  {},
                  ["Status", "Check", "Country", "Type", "Offending", "Message"].map((t) =>
                    h("th", { scope: "col" }, t),
                  ),
                ),
              ),
              h(
                "tbody",
                {},
                failing.map((c) =>
                  h(
                    "tr",
                    {},
                    h("td", {}, h("span", { class: `pill ${c.status}` }, c.status)),
                    h("td", {}, c.title),
                    h("td", {}, c.country ?? "–"),
                    h("td", {}, c.zoneType ? typeLabel(c.zoneType) : "–"),
                    h("td", { class: "num" }, `${c.offending} / ${c.examined}`),
                    h("td", { class: "wrap" }, c.message ?? ""),
                  ),
                ),
              ),
            ),
          )
        : h("p", { class: "muted" }, `All ${doc.checks.length} quality checks pass.`),
  );
}

async function renderSummary(): Promise<void> {
  const totals = { ok: 0, ko: 0, skip: 0 };
  for (const r of doc.rows) totals[r.status]++;
  const served = await fetchServedDataset().catch((err: Error) => {
    showError(`${err.message} (dataset details from the API are missing)`);
    return null;
  });
  const fmt = (d: string | null) => (d ? new Date(d).toLocaleString() : "–");
  replaceChildren(
    $("#summary"),
    h(
      "dl",
      { class: "facts summary-facts" },
      h(
        "div",
        { class: "fact" },
        h("dt", {}, "Dataset version"),
        h("dd", { id: "dataset-version" }, served?.version ?? doc.datasetVersion ?? "–"),
      ),
      h(
        "div",
        { class: "fact" },
        h("dt", {}, "Published"),
        h("dd", {}, fmt(served?.publishedAt ?? served?.createdAt ?? null)),
      ),
      h(
        "div",
        { class: "fact" },
        h("dt", {}, "Zones"),
        h("dd", {}, (served?.zoneCount ?? doc.zoneCount)?.toLocaleString() ?? "–"),
      ),
      doc.datasetVersion && served?.version != null && String(served.version) !== doc.datasetVersion
        ? h(
            "div",
            { class: "fact" },
            h("dt", {}, "Note"),
            h(
              "dd",
              { class: "error" },
              `this report is about version ${doc.datasetVersion}, not the served version ${served.version}`,
            ),
          )
        : null,
      h("div", { class: "fact" }, h("dt", {}, "Source"), h("dd", {}, doc.source ?? served?.source ?? "–")),
      h("div", { class: "fact" }, h("dt", {}, "Report generated"), h("dd", {}, fmt(doc.generatedAt))),
      h(
        "div",
        { class: "fact" },
        h("dt", {}, "Results"),
        h(
          "dd",
          {},
          h("span", { class: "pill ok" }, `${totals.ok} ok`),
          " ",
          h("span", { class: "pill ko" }, `${totals.ko} ko`),
          " ",
          h("span", { class: "pill skip" }, `${totals.skip} skip`),
        ),
      ),
    ),
  );
}

($("#filter") as HTMLInputElement).value = params.get("q") ?? "";
($("#status-filter") as HTMLSelectElement).value = params.get("status") ?? "";
$("#filter").addEventListener("input", render);
$("#status-filter").addEventListener("change", render);

const loaded = await track(loadDoc());
if (loaded) {
  doc = loaded;
  render();
  renderChart();
  renderChecks();
} else {
  replaceChildren(
    $("#results tbody"),
    h("tr", {}, h("td", { class: "error" }, "The dashboard results could not be loaded.")),
  );
}
await renderSummary();
document.body.dataset.ready = "true";
