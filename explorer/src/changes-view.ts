// The "Changes" tab: the last change report by category, each zone a link that selects it on the map.
// The API serves one dataset version, so only that side's geometry can be drawn; the view says which side it is
// and what is missing (the report carries ids and details, not geometries).
import { fetchServedDataset, getJson } from "./api.ts";
import {
  CATEGORY_TITLES,
  type ChangedZone,
  type ChangeReport,
  parseChangeReport,
  servedSide,
} from "./changes-report.ts";
import { h, replaceChildren } from "./dom.ts";
import { typeLabel } from "./zone-types.ts";

export interface LoadedChanges {
  report: ChangeReport | null;
  side: "new" | "old" | null;
}

export async function loadChanges(dataBase: string): Promise<LoadedChanges> {
  let raw: unknown;
  try {
    raw = await getJson(`${dataBase}/diff/latest.json`, { what: "change report" });
  } catch (err) {
    if ((err as { status?: number }).status === 404) return { report: null, side: null };
    throw err;
  }
  const report = parseChangeReport(raw);
  const served = await fetchServedDataset().catch(() => null);
  return { report, side: servedSide(report, served?.version ?? null) };
}

function describeSide(s: ChangeReport["old"]): string {
  return s.kind === "version"
    ? `version ${s.version}`
    : s.kind === "file"
      ? (s.source.split("/").pop() ?? s.source)
      : "nothing";
}

export function renderChanges(el: HTMLElement, loaded: LoadedChanges, show: (id: string) => void): void {
  const { report, side } = loaded;
  if (!report) {
    replaceChildren(
      el,
      h(
        "div",
        { class: "empty-state" },
        h("h2", {}, "No change report yet"),
        h(
          "p",
          {},
          "`cosmo diff OLD NEW` (run by the update pipeline before each publish) writes the report this view lists.",
        ),
      ),
    );
    return;
  }
  const total = report.categories.reduce((n, c) => n + c.count, 0);
  const idOf = (z: ChangedZone) => (side === "new" ? z.newId : side === "old" ? z.oldId : null);
  replaceChildren(
    el,
    h(
      "header",
      {},
      h("h2", {}, "Changes"),
      h(
        "p",
        { class: "muted", id: "changes-summary" },
        `${describeSide(report.old)} → ${describeSide(report.new)} · ${total} change${total === 1 ? "" : "s"} · ${report.unchanged} unchanged`,
      ),
    ),
    report.countriesRemoved.length
      ? h(
          "p",
          { class: "error" },
          `Countries removed: ${report.countriesRemoved.map((c) => c.name ?? c.osmId).join(", ")}`,
        )
      : null,
    h(
      "p",
      { class: "note" },
      side === "new"
        ? "The new side is the served version: a zone link shows its new geometry. The report does not carry geometries and the API serves only the served version, so the old outline of a changed zone cannot be drawn; removed zones are listed without a map link."
        : side === "old"
          ? "The new side of this report is not served (a refused or pending publish): links show the served, i.e. old, geometry; added zones have no map link and the new outline cannot be drawn."
          : "Neither side of this report is the served version, so its zone ids cannot be shown on the map; the list is for reading only.",
    ),
    report.categories.map((c) =>
      h(
        "details",
        { class: "change-category", open: c.count > 0 && c.count <= 50, "data-category": c.key },
        h("summary", {}, h("span", {}, c.title), h("span", { class: "count" }, String(c.count))),
        c.zones.length
          ? h(
              "ul",
              { class: "change-list" },
              c.zones.map((z) => {
                const id = idOf(z);
                const title = z.name ?? z.osmId;
                return h(
                  "li",
                  {},
                  id === null
                    ? h("span", {}, title)
                    : h(
                        "button",
                        {
                          type: "button",
                          class: "zone-link",
                          "data-zone-id": String(id),
                          onclick: () => show(String(id)),
                        },
                        title,
                      ),
                  h(
                    "span",
                    { class: "muted" },
                    ` ${[z.zoneType && typeLabel(z.zoneType), z.country, z.osmId].filter(Boolean).join(" · ")}`,
                  ),
                  z.detail ? h("div", { class: "change-detail" }, z.detail) : null,
                );
              }),
              c.count > c.zones.length
                ? h("li", { class: "muted" }, `… ${c.count - c.zones.length} more not listed in the report`)
                : null,
            )
          : h("p", { class: "muted" }, c.count ? "No examples in the report." : "None."),
      ),
    ),
    groupsTable(report),
  );
}

/** Per country and zone type: counts before/after and the changes in each category. */
function groupsTable(report: ChangeReport): HTMLElement | null {
  if (!report.groups.length) return null;
  // Only the categories that occur: the panel is narrow.
  const keys = Object.keys(CATEGORY_TITLES).filter((k) => report.groups.some((g) => g.counts[k] > 0));
  return h(
    "section",
    { class: "change-groups" },
    h("h3", {}, "By country and type"),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { id: "change-groups" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", {}, "Country"),
            h("th", {}, "Type"),
            h("th", { class: "num" }, "Zones"),
            keys.map((k) => h("th", { class: "num", title: CATEGORY_TITLES[k] }, CATEGORY_TITLES[k])),
          ),
        ),
        h(
          "tbody",
          {},
          report.groups.map((g) =>
            h(
              "tr",
              {},
              h("td", {}, g.country ?? "–"),
              h("td", {}, g.zoneType ? typeLabel(g.zoneType) : "–"),
              h(
                "td",
                { class: "num" },
                g.oldCount === g.newCount ? String(g.newCount) : `${g.oldCount} → ${g.newCount}`,
              ),
              keys.map((k) => h("td", { class: "num" }, g.counts[k] ? String(g.counts[k]) : "")),
            ),
          ),
        ),
      ),
    ),
  );
}
