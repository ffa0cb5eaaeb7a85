// The map page: wires the map, the side panel, search, language, "what is here?", the Changes tab and the URL.
import type { Feature, Geometry } from "geojson";
import { fetchGeometry, fetchParents, fetchZone, getJson, setApiBase } from "./api.ts";
import { hasApi, loadAppConfig } from "./app-config.ts";
import type { ChangedZone } from "./changes-report.ts";
import { loadChanges, renderChanges } from "./changes-view.ts";
import { type ComparisonPlan, featuresBBox } from "./compare.ts";
import { $, h, replaceChildren } from "./dom.ts";
import { formatHash, parseHash } from "./hash.ts";
import { COMMON_LANGUAGES, displayName, featureName, LOCAL, loadLanguage, saveLanguage } from "./lang.ts";
import { setupMapInteractions } from "./map-interactions.ts";
import { MapView } from "./map-view.ts";
import { renderMessage, renderZone } from "./panel.ts";
import { setupSearch } from "./search.ts";
import { showError, track } from "./status.ts";
import type { ZoneInfo } from "./zone.ts";
import { typeColor, typeLabel, ZONE_TYPE_LABELS, ZONE_TYPES_TOP_DOWN } from "./zone-types.ts";
import "./styles.css";

const TYPES_KEY = "cosmo.explorer.types";

interface Selection {
  zone: ZoneInfo;
  parents: ZoneInfo[];
  children: ZoneInfo[];
  geometry: Feature<Geometry> | null;
}

const config = await loadAppConfig();
setApiBase(config.apiBase);
/** Static mode without an API: the map and its names work from the tiles alone; the rest says why it cannot. */
const withApi = hasApi(config);
const NO_API =
  "No API in this static explorer: search, zone details (parents, children, geometry) and “What is here?” " +
  "across all zones need the cosmo API. The map, its names and the zones' tile attributes work.";

let lang = loadLanguage();
let types = loadTypes();
let selection: Selection | null = null;
let selectSeq = 0;
const knownLanguages = new Set<string>(COMMON_LANGUAGES);

const initial = parseHash(window.location.hash);
const view = new MapView(
  $("#map"),
  config,
  types,
  initial ? { center: [initial.lng, initial.lat], zoom: initial.zoom } : null,
  lang,
);
const map = view.map;

const panel = $("#zone-panel");
const changesPanel = $("#changes-panel");

// ---- zone type filter -------------------------------------------------------------------------------------
function loadTypes(): string[] {
  try {
    const saved = JSON.parse(localStorage.getItem(TYPES_KEY) ?? "null") as unknown;
    if (Array.isArray(saved)) return saved.filter((t): t is string => typeof t === "string");
  } catch {
    /* ignore a broken saved value */
  }
  return [...ZONE_TYPES_TOP_DOWN];
}

function renderTypeButtons(): void {
  replaceChildren(
    $("#type-filter"),
    h("legend", { class: "visually-hidden" }, "Zone types shown on the map"),
    ZONE_TYPES_TOP_DOWN.map((t) =>
      h(
        "button",
        {
          type: "button",
          class: "type-button",
          "data-type": t,
          "aria-pressed": String(types.includes(t)),
          style: `--type-color:${typeColor(t)}`,
          title: `Show or hide ${ZONE_TYPE_LABELS[t].toLowerCase()} zones`,
          onclick: () => {
            types = types.includes(t) ? types.filter((x) => x !== t) : [...types, t];
            try {
              localStorage.setItem(TYPES_KEY, JSON.stringify(types));
            } catch {
              /* not remembered; still applied */
            }
            view.setTypes(types);
            renderTypeButtons();
          },
        },
        ZONE_TYPE_LABELS[t],
      ),
    ),
  );
}

// ---- language -----------------------------------------------------------------------------------------------
function renderLanguages(): void {
  const select = $("#lang") as HTMLSelectElement;
  const langs = [...knownLanguages].sort();
  replaceChildren(
    select,
    h("option", { value: LOCAL }, "Local names"),
    langs.map((l) => h("option", { value: l }, l)),
  );
  select.value = lang;
}

function learnLanguages(zones: ZoneInfo[]): void {
  const before = knownLanguages.size;
  for (const z of zones) for (const l of [...Object.keys(z.labels), ...Object.keys(z.names)]) knownLanguages.add(l);
  if (knownLanguages.size !== before) renderLanguages();
}

($("#lang") as HTMLSelectElement).addEventListener("change", (e) => {
  lang = (e.target as HTMLSelectElement).value;
  saveLanguage(lang);
  view.setLanguage(lang);
  renderSelection();
  if (!withApi && selection === null && staticSelected !== null) showTileZone(staticSelected);
});

// ---- selection ---------------------------------------------------------------------------------------------
const panelActions = {
  select: (id: string) => void selectZone(id, { fly: true, push: true }),
  hover: (id: string | null) => view.highlight(id === null ? [] : [Number(id)]),
  zoomTo: (z: ZoneInfo) => zoomTo(z),
};

function renderSelection(): void {
  if (!selection) return;
  renderZone(panel, selection.zone, selection.parents, selection.children, lang, panelActions);
  document.title = `${displayName(selection.zone, lang)} · cosmo explorer`;
}

function zoomTo(z: ZoneInfo): void {
  if (z.bbox) view.fitBBox(z.bbox);
  else if (z.center) map.flyTo({ center: z.center, zoom: Math.max(map.getZoom(), 12) });
}

/** Static mode: the selected zone as the tiles know it (name, type, level, label, OSM id), no API call. */
let staticSelected: string | null = null;
function showTileZone(id: string, retry = true): void {
  const props = view.tileZone(Number(id));
  view.setSelected(Number(id), null);
  if (!props) {
    // Selected from the URL before its tiles came: looked up again once the map has drawn them.
    if (retry)
      map.once("idle", () => {
        if (staticSelected === id) showTileZone(id, false);
      });
    renderMessage(panel, `Zone ${id}`, NO_API);
    return;
  }
  const facts = [
    typeLabel(String(props.zone_type ?? "")),
    props.admin_level !== undefined ? `admin level ${props.admin_level}` : "",
    String(props.label ?? ""),
    String(props.osm_id ?? ""),
  ].filter(Boolean);
  renderMessage(panel, featureName(props, lang), `${facts.join(" · ")}. ${NO_API}`);
  document.title = `${featureName(props, lang)} · cosmo explorer`;
}

async function selectZone(id: string, opts: { fly: boolean; push: boolean }): Promise<void> {
  if (!withApi) {
    staticSelected = id;
    showTab("zone");
    showTileZone(id);
    writeHash(opts.push);
    return;
  }
  const seq = ++selectSeq;
  view.clearComparison();
  showTab("zone");
  if (!selection || selection.zone.id !== id) renderMessage(panel, "Loading…", `Zone ${id}`);
  const result = await track(Promise.all([fetchZone(id), fetchParents(id)]));
  if (seq !== selectSeq) return; // a later click won
  if (!result) {
    renderMessage(panel, "Zone not available", `Zone ${id} could not be loaded; see the message above.`);
    view.setSelected(Number(id), null);
    return;
  }
  const [{ zone, children }, parents] = result;
  selection = { zone, parents, children, geometry: null };
  learnLanguages([zone, ...parents]);
  renderSelection();
  view.setSelected(Number(zone.id), null); // tile outline at once; the full geometry replaces it when loaded
  if (opts.fly) zoomTo(zone);
  writeHash(opts.push);
  const geometry = await track(fetchGeometry(id));
  if (seq !== selectSeq || !selection) return;
  selection.geometry = geometry ?? null;
  view.setSelected(Number(zone.id), selection.geometry);
}

function clearSelection(push: boolean): void {
  selectSeq++;
  staticSelected = null;
  view.clearComparison();
  selection = null;
  view.setSelected(null, null);
  renderMessage(
    panel,
    "No zone selected",
    "Click a zone on the map, search for one, or right-click (long-press on a phone) to list every zone at a point.",
  );
  document.title = "cosmo explorer";
  writeHash(push);
}

/**
 * A changed zone's old and new boundary together (Changes view). Each side is fetched on its own, so a side that
 * cannot be read (old version pruned since the report) still leaves the other drawn, and the legend says so.
 */
async function compareZone(plan: ComparisonPlan, z: ChangedZone): Promise<void> {
  clearSelection(true); // the comparison replaces any selection (and its outline)
  const seq = selectSeq;
  const name = z.name ?? z.osmId;
  const [oldF, newF] = await Promise.all(
    [plan.old, plan.new].map((side) => track(fetchGeometry(String(side.id), undefined, side.dataset))),
  );
  if (seq !== selectSeq) return; // another zone was selected meanwhile
  view.setComparison(
    { feature: oldF ?? null, label: `${name} · old, version ${plan.old.version}` },
    { feature: newF ?? null, label: `${name} · new, version ${plan.new.version}` },
  );
  const bbox = featuresBBox([oldF ?? null, newF ?? null]);
  if (bbox) view.fitBBox(bbox);
}

// ---- URL ------------------------------------------------------------------------------------------------------
function writeHash(push: boolean): void {
  const c = map.getCenter();
  const hash = formatHash({
    zoom: map.getZoom(),
    lng: c.lng,
    lat: c.lat,
    id: selection?.zone.id ?? staticSelected ?? undefined,
  });
  if (hash === window.location.hash) return;
  if (push) history.pushState(null, "", hash);
  else history.replaceState(null, "", hash);
}

map.on("moveend", () => writeHash(false));

window.addEventListener("popstate", () => {
  const s = parseHash(window.location.hash);
  if (!s) return;
  map.jumpTo({ center: [s.lng, s.lat], zoom: s.zoom });
  if (s.id && s.id !== selection?.zone.id) void selectZone(s.id, { fly: false, push: false });
  else if (!s.id && selection) clearSelection(false);
});

// ---- hover, click picker, "What is here?" ---------------------------------------------------------------------
setupMapInteractions(view, {
  lang: () => lang,
  select: (id) => void selectZone(id, { fly: false, push: true }),
  api: withApi,
});

// ---- tabs and the Changes view ------------------------------------------------------------------------------
let changesLoaded = false;

function showTab(tab: "zone" | "changes"): void {
  panel.hidden = tab !== "zone";
  changesPanel.hidden = tab !== "changes";
  for (const b of document.querySelectorAll<HTMLButtonElement>("[data-tab]"))
    b.setAttribute("aria-selected", String(b.dataset.tab === tab));
  document.body.classList.add("panel-open");
  if (tab === "changes" && !changesLoaded) {
    changesLoaded = true;
    renderMessage(changesPanel, "Loading…", "Reading the last change report");
    void track(loadChanges(config.dataBase)).then((loaded) => {
      if (loaded === undefined) {
        changesLoaded = false;
        renderMessage(changesPanel, "Change report unavailable", "See the message above.");
        return;
      }
      renderChanges(changesPanel, loaded, {
        show: (id) => void selectZone(id, { fly: true, push: true }).then(() => showTab("changes")),
        compare: (plan, zone) => void compareZone(plan, zone),
      });
    });
  }
}

for (const b of document.querySelectorAll<HTMLButtonElement>("[data-tab]")) {
  b.addEventListener("click", () => showTab(b.dataset.tab as "zone" | "changes"));
}
$("#panel-toggle").addEventListener("click", () => document.body.classList.toggle("panel-open"));

// ---- boot -------------------------------------------------------------------------------------------------------
renderTypeButtons();
renderLanguages();
if (withApi)
  setupSearch($("#search") as HTMLInputElement, $("#search-results"), {
    lang: () => lang,
    choose: (z) => void selectZone(z.id, { fly: true, push: true }),
  });
else {
  const search = $("#search") as HTMLInputElement;
  search.disabled = true;
  search.placeholder = "Search needs the API";
  search.title = NO_API;
}
clearSelection(false);

// The API is checked once at start so "API down" is a sentence on screen, not a silent empty panel.
if (withApi)
  void getJson(`${config.apiBase}/stats`, { what: "API", signal: AbortSignal.timeout(8000) }).then(
    () => undefined,
    (err: Error) =>
      showError(`${err.message}. Search and zone details will not work until it is back.`, { sticky: true }),
  );
else showError(NO_API, { sticky: true });

const tileInfo = await view.ready;
// `/?zone=ID` (links from the dashboard, which has no map view to put in a hash) selects and flies to the zone.
const zoneParam = new URLSearchParams(window.location.search).get("zone");
if (zoneParam && /^\d+$/.test(zoneParam)) {
  history.replaceState(null, "", `/${window.location.hash}`);
  void selectZone(zoneParam, { fly: true, push: false });
} else if (initial?.id) void selectZone(initial.id, { fly: false, push: false });
else if (!initial && tileInfo.bounds) view.fitBBox(tileInfo.bounds, { animate: false });

// Tests and curious people: the map and a few actions on window.
Object.assign(window, {
  __cosmo: {
    map,
    view,
    selectZone,
    get selection() {
      return selection;
    },
  },
});
document.body.dataset.ready = "true";
