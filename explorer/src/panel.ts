// Side panel for the selected zone: facts, links, the parent chain and the lazily loaded children tree.
import { fetchZone, geometryUrl } from "./api.ts";
import { h, replaceChildren } from "./dom.ts";
import { displayLabel, displayName } from "./lang.ts";
import { track } from "./status.ts";
import { osmUrl, wikidataUrl, type ZoneInfo } from "./zone.ts";
import { typeColor, typeLabel, typeRank } from "./zone-types.ts";

export interface PanelActions {
  select(id: string): void;
  hover(id: string | null): void;
  zoomTo(zone: ZoneInfo): void;
}

function typeBadge(type: string | null): HTMLElement {
  return h("span", { class: "badge", style: `--type-color:${typeColor(type)}` }, typeLabel(type));
}

function row(label: string, ...value: (Node | string | null)[]): HTMLElement | null {
  if (value.every((v) => v === null || v === "")) return null;
  return h("div", { class: "fact" }, h("dt", {}, label), h("dd", {}, ...value));
}

function link(href: string | null, text: string): HTMLElement | null {
  return href ? h("a", { href, target: "_blank", rel: "noopener noreferrer" }, text) : null;
}

function zoneButton(z: ZoneInfo, lang: string, actions: PanelActions, cls = "zone-link"): HTMLElement {
  return h(
    "button",
    {
      type: "button",
      class: cls,
      "data-zone-id": z.id,
      onclick: () => actions.select(z.id),
      onmouseenter: () => actions.hover(z.id),
      onmouseleave: () => actions.hover(null),
      onfocus: () => actions.hover(z.id),
      onblur: () => actions.hover(null),
    },
    displayName(z, lang),
  );
}

export function renderZone(
  el: HTMLElement,
  zone: ZoneInfo,
  parents: ZoneInfo[],
  children: ZoneInfo[],
  lang: string,
  actions: PanelActions,
): void {
  const file = `${zone.osmId?.replace(":", "-") ?? `zone-${zone.id}`}.geojson`;
  replaceChildren(
    el,
    h(
      "header",
      { class: "zone-header" },
      h("h2", { id: "zone-name" }, displayName(zone, lang)),
      typeBadge(zone.zoneType),
      h("p", { class: "zone-label", id: "zone-label" }, displayLabel(zone, lang)),
    ),
    h(
      "dl",
      { class: "facts" },
      row("Type", typeLabel(zone.zoneType)),
      row("Admin level", zone.adminLevel === null ? null : String(zone.adminLevel)),
      row("Country", zone.countryCode),
      row("Zip codes", zone.zipCodes.join(", ")),
      row("Wikidata", link(wikidataUrl(zone.wikidata), zone.wikidata ?? "")),
      row("OpenStreetMap", link(osmUrl(zone.osmId), zone.osmId ?? "")),
      row("Zone id", zone.id),
    ),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", id: "zoom-to", onclick: () => actions.zoomTo(zone) }, "Zoom to"),
      h("a", { class: "button", id: "download", href: geometryUrl(zone.id), download: file }, "Download GeoJSON"),
    ),
    h(
      "section",
      { class: "parents" },
      h("h3", {}, "Part of"),
      parents.length
        ? h(
            "ol",
            { id: "parents" },
            // Root first reads like an address from big to small.
            [...parents].reverse().map((p) => h("li", {}, zoneButton(p, lang, actions), " ", typeBadge(p.zoneType))),
          )
        : h("p", { class: "muted" }, "No parent (top of the hierarchy)."),
    ),
    h(
      "section",
      { class: "children" },
      h("h3", {}, `Contains (${children.length})`),
      children.length ? childList(children, lang, actions) : h("p", { class: "muted" }, "No child zones."),
    ),
  );
}

function childList(children: ZoneInfo[], lang: string, actions: PanelActions): HTMLElement {
  const sorted = [...children].sort(
    (a, b) => typeRank(a.zoneType) - typeRank(b.zoneType) || displayName(a, lang).localeCompare(displayName(b, lang)),
  );
  return h(
    "ul",
    { class: "tree" },
    sorted.map((c) => childNode(c, lang, actions)),
  );
}

/** A tree node whose own children are fetched only when it is expanded. */
function childNode(zone: ZoneInfo, lang: string, actions: PanelActions): HTMLElement {
  const count = zone.childCount;
  const li = h("li", { class: "tree-node", "data-zone-id": zone.id });
  const sub = h("div", { class: "subtree" });
  let loaded = false;
  const toggle =
    count === 0
      ? h("span", { class: "toggle empty", "aria-hidden": "true" })
      : h(
          "button",
          {
            type: "button",
            class: "toggle",
            "aria-expanded": "false",
            "aria-label": `Show zones in ${displayName(zone, lang)}`,
            onclick: async (e: Event) => {
              const btn = e.currentTarget as HTMLButtonElement;
              const open = btn.getAttribute("aria-expanded") !== "true";
              btn.setAttribute("aria-expanded", String(open));
              sub.hidden = !open;
              if (open && !loaded) {
                loaded = true;
                sub.replaceChildren(h("p", { class: "muted" }, "Loading…"));
                const res = await track(fetchZone(zone.id));
                if (!res) {
                  loaded = false;
                  sub.replaceChildren(h("p", { class: "error" }, "Could not load."));
                  return;
                }
                sub.replaceChildren(
                  res.children.length
                    ? childList(res.children, lang, actions)
                    : h("p", { class: "muted" }, "No child zones."),
                );
              }
            },
          },
          "▸",
        );
  li.append(
    h(
      "div",
      { class: "tree-row" },
      toggle,
      zoneButton(zone, lang, actions),
      " ",
      typeBadge(zone.zoneType),
      count ? h("span", { class: "count" }, `${count}`) : null,
    ),
    sub,
  );
  return li;
}

export function renderMessage(el: HTMLElement, title: string, text: string): void {
  replaceChildren(el, h("div", { class: "empty-state" }, h("h2", {}, title), h("p", {}, text)));
}
