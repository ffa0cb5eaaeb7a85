// The "Changes" tab: the last change report by category, each zone a link that selects it on the map.
// Ids of the served side select the zone; a changed geometry is compared: its old and new boundaries are read
// from their own versions (the API's `dataset=`, while the old version is still loaded) and drawn together.
import { fetchServedDataset, getJson } from "./api.ts";
import {
  CATEGORY_TITLES,
  type ChangedZone,
  type ChangeReport,
  parseChangeReport,
  servedSide,
} from "./changes-report.ts";
import { type ComparisonPlan, comparisonPlan } from "./compare.ts";
import { h, replaceChildren } from "./dom.ts";
import { typeLabel } from "./zone-types.ts";

export interface LoadedChanges {
  report: ChangeReport | null;
  side: "new" | "old" | null;
  /** The served version (null: none, or /datasets unreachable). */
  served: number | null;
}

export async function loadChanges(dataBase: string): Promise<LoadedChanges> {
  let raw: unknown;
  try {
    raw = await getJson(`${dataBase}/diff/latest.json`, { what: "change report" });
  } catch (err) {
    if ((err as { status?: number }).status === 404) return { report: null, side: null, served: null };
    throw err;
  }
  const report = parseChangeReport(raw);
  const served = await fetchServedDataset().catch(() => null);
  const version = served?.version ?? null;
  return { report, side: servedSide(report, version), served: version };
}

function describeSide(s: ChangeReport["old"]): string {
  return s.kind === "version"
    ? `version ${s.version}`
    : s.kind === "file"
      ? (s.source.split("/").pop() ?? s.source)
      : "nothing";
}

export interface ChangesActions {
  /** Select a zone of the served version. */
  show(id: string): void;
  /** Draw a changed zone's old and new geometry together. */
  compare(plan: ComparisonPlan, zone: ChangedZone): void;
}

export function renderChanges(el: HTMLElement, loaded: LoadedChanges, actions: ChangesActions): void {
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
        ? "The new side is the served version: a zone link selects it. A zone under “Geometry changed” shows its old (dashed red) and new (blue) boundary together, read from both versions while the old one is still loaded; removed zones are listed without a map link."
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
                const plan = c.key === "geometryChanged" ? comparisonPlan(report, z, loaded.served) : null;
                return h(
                  "li",
                  {},
                  plan
                    ? h(
                        "button",
                        {
                          type: "button",
                          class: "zone-link",
                          "data-zone-id": String(plan.new.id),
                          "data-compare": `${plan.old.version}:${plan.old.id} ${plan.new.version}:${plan.new.id}`,
                          title: `Show version ${plan.old.version} and version ${plan.new.version} together`,
                          onclick: () => actions.compare(plan, z),
                        },
                        title,
                      )
                    : id === null
                      ? h("span", {}, title)
                      : h(
                          "button",
                          {
                            type: "button",
                            class: "zone-link",
                            "data-zone-id": String(id),
                            onclick: () => actions.show(String(id)),
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
