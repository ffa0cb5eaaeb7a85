// Pointer interactions on the map: hover highlight + popup, click (a picker where zones overlap) and
// "What is here?" on right-click / long-press (API `/zones/at`, every zone containing the point).
import type { LngLat, MapGeoJSONFeature, MapMouseEvent, Popup } from "maplibre-gl";
import { zonesAt } from "./api.ts";
import { h } from "./dom.ts";
import { displayName, featureName } from "./lang.ts";
import { featureId, type MapView } from "./map-view.ts";
import maplibregl from "./maplibre.ts";
import { track } from "./status.ts";
import { typeColor, typeLabel, typeRank } from "./zone-types.ts";

export interface InteractionOptions {
  lang(): string;
  select(id: string): void;
  /** false in static mode: "What is here?" lists the zones drawn at the point (from the tiles) instead. */
  api: boolean;
}

export function setupMapInteractions(view: MapView, opts: InteractionOptions): void {
  const map = view.map;
  const hoverPopup = new maplibregl.Popup({
    closeButton: false,
    closeOnClick: false,
    className: "hover-popup",
    maxWidth: "280px",
    offset: 12,
  });
  let pinnedPopup: Popup | null = null;
  let hoverFrame = 0;

  function sortTopDown(features: MapGeoJSONFeature[]): MapGeoJSONFeature[] {
    return [...features].sort(
      (a, b) => typeRank(a.properties.zone_type as string) - typeRank(b.properties.zone_type as string),
    );
  }

  function zoneListItems(features: MapGeoJSONFeature[], interactive: boolean): HTMLElement[] {
    return sortTopDown(features).map((f) => {
      const id = featureId(f);
      const type = f.properties.zone_type as string;
      const content = [
        h("span", { class: "dot", style: `background:${typeColor(type)}` }),
        h("span", {}, featureName(f.properties, opts.lang())),
        h("span", { class: "muted" }, ` ${typeLabel(type)}`),
      ];
      if (!interactive) return h("li", {}, ...content);
      return h(
        "li",
        {},
        h(
          "button",
          {
            type: "button",
            class: "zone-link",
            "data-zone-id": String(id),
            onclick: () => {
              pinnedPopup?.remove();
              if (id !== null) opts.select(String(id));
            },
            onmouseenter: () => view.highlight(id === null ? [] : [id]),
            onmouseleave: () => view.highlight([]),
          },
          ...content,
        ),
      );
    });
  }

  map.on("mousemove", (e: MapMouseEvent) => {
    cancelAnimationFrame(hoverFrame);
    hoverFrame = requestAnimationFrame(() => {
      if (pinnedPopup?.isOpen()) return;
      const features = view.zonesAt(e.point);
      view.highlight(features.map(featureId).filter((x): x is number => x !== null));
      map.getCanvas().style.cursor = features.length ? "pointer" : "";
      if (!features.length) {
        hoverPopup.remove();
        return;
      }
      hoverPopup
        .setLngLat(e.lngLat)
        .setDOMContent(h("ul", { class: "zone-list" }, zoneListItems(features, false)))
        .addTo(map);
    });
  });

  map.getCanvas().addEventListener("mouseleave", () => {
    cancelAnimationFrame(hoverFrame);
    hoverPopup.remove();
    if (!pinnedPopup?.isOpen()) view.highlight([]);
  });

  function openPinned(lngLat: LngLat, content: HTMLElement): void {
    hoverPopup.remove();
    pinnedPopup?.remove();
    pinnedPopup = new maplibregl.Popup({ className: "picker", maxWidth: "320px", closeOnClick: true })
      .setLngLat(lngLat)
      .setDOMContent(content)
      .addTo(map);
    pinnedPopup.on("close", () => view.highlight([]));
  }

  map.on("click", (e: MapMouseEvent) => {
    const features = view.zonesAt(e.point);
    if (features.length === 1) {
      const id = featureId(features[0]);
      if (id !== null) opts.select(String(id));
    } else if (features.length > 1) {
      openPinned(
        e.lngLat,
        h(
          "div",
          { id: "picker" },
          h("p", { class: "popup-title" }, `${features.length} zones here — pick one`),
          h("ul", { class: "zone-list" }, zoneListItems(features, true)),
        ),
      );
    }
  });

  // ---- "What is here?" (right-click / long-press) -----------------------------------------------------------------
  async function whatIsHere(lngLat: LngLat): Promise<void> {
    openPinned(
      lngLat,
      h(
        "div",
        { id: "whats-here" },
        h("p", { class: "popup-title" }, "What is here?"),
        h("p", { class: "muted" }, "Loading…"),
      ),
    );
    const zones = opts.api
      ? await track(zonesAt(lngLat.lng, lngLat.lat))
      : view.zonesAt(map.project(lngLat)).map((f) => ({
          id: String(featureId(f)),
          zoneType: String(f.properties.zone_type ?? ""),
          name: featureName(f.properties, opts.lang()),
        }));
    const content = h(
      "div",
      { id: "whats-here" },
      h("p", { class: "popup-title" }, `What is here? ${lngLat.lat.toFixed(5)}, ${lngLat.lng.toFixed(5)}`),
      zones === undefined
        ? h("p", { class: "error" }, "The API did not answer.")
        : zones.length
          ? h(
              "ul",
              { class: "zone-list" },
              [...zones]
                .sort((a, b) => typeRank(a.zoneType) - typeRank(b.zoneType))
                .map((z) =>
                  h(
                    "li",
                    {},
                    h(
                      "button",
                      {
                        type: "button",
                        class: "zone-link",
                        "data-zone-id": z.id,
                        onclick: () => {
                          pinnedPopup?.remove();
                          opts.select(z.id);
                        },
                        onmouseenter: () => view.highlight([Number(z.id)]),
                        onmouseleave: () => view.highlight([]),
                      },
                      h("span", { class: "dot", style: `background:${typeColor(z.zoneType)}` }),
                      displayName(z, opts.lang()),
                      h("span", { class: "muted" }, ` ${typeLabel(z.zoneType)}`),
                    ),
                  ),
                ),
            )
          : h("p", { class: "muted" }, "No zone contains this point."),
    );
    if (pinnedPopup?.isOpen()) pinnedPopup.setDOMContent(content);
  }

  map.on("contextmenu", (e: MapMouseEvent) => {
    e.preventDefault();
    void whatIsHere(e.lngLat);
  });

  // Long-press on touch screens: one finger held still for 600 ms.
  let pressTimer: ReturnType<typeof setTimeout> | undefined;
  map.on("touchstart", (e) => {
    clearTimeout(pressTimer);
    if (e.originalEvent.touches.length !== 1) return;
    const at = e.lngLat;
    pressTimer = setTimeout(() => void whatIsHere(at), 600);
  });
  for (const ev of ["touchend", "touchcancel", "touchmove", "movestart"] as const)
    map.on(ev, () => clearTimeout(pressTimer));

  // Escape closes the picker / "What is here?" list, as it would close a menu.
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && pinnedPopup?.isOpen()) pinnedPopup.remove();
  });
}
