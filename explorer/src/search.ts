// Search box with autocomplete from the API (`/zones?q=`), navigable with the keyboard (ARIA combobox pattern).
import { searchZones } from "./api.ts";
import { debounce, h, replaceChildren } from "./dom.ts";
import { displayLabel, displayName } from "./lang.ts";
import { showError } from "./status.ts";
import type { ZoneInfo } from "./zone.ts";
import { typeColor, typeLabel } from "./zone-types.ts";

export function setupSearch(
  input: HTMLInputElement,
  list: HTMLElement,
  opts: { lang: () => string; choose(zone: ZoneInfo): void },
): void {
  let results: ZoneInfo[] = [];
  let active = -1;
  let inflight: AbortController | undefined;

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };

  const render = () => {
    const lang = opts.lang();
    replaceChildren(
      list,
      results.length
        ? results.map((z, i) =>
            h(
              "div",
              {
                id: `search-option-${i}`,
                role: "option",
                class: i === active ? "active" : "",
                "aria-selected": String(i === active),
                "data-zone-id": z.id,
                // mousedown, not click: it fires before the input's blur closes the list
                onmousedown: (e: Event) => {
                  e.preventDefault();
                  pick(i);
                },
              },
              h("span", { class: "dot", style: `background:${typeColor(z.zoneType)}` }),
              h("span", { class: "option-name" }, displayName(z, lang)),
              h("span", { class: "option-meta" }, `${typeLabel(z.zoneType)} · ${displayLabel(z, lang)}`),
            ),
          )
        : h(
            "div",
            { class: "no-results", role: "option", "aria-disabled": "true", "aria-selected": "false" },
            "No zone found",
          ),
    );
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    if (active >= 0) {
      input.setAttribute("aria-activedescendant", `search-option-${active}`);
      document.getElementById(`search-option-${active}`)?.scrollIntoView({ block: "nearest" });
    }
  };

  const pick = (i: number) => {
    const z = results[i];
    if (!z) return;
    input.value = displayName(z, opts.lang());
    close();
    opts.choose(z);
  };

  const run = debounce(async (q: string) => {
    inflight?.abort();
    if (q.trim().length < 2) {
      results = [];
      close();
      return;
    }
    const ctrl = new AbortController();
    inflight = ctrl;
    input.classList.add("loading");
    try {
      results = await searchZones(q.trim(), { limit: 10, signal: ctrl.signal });
      if (ctrl.signal.aborted) return;
      active = results.length ? 0 : -1;
      render();
    } catch (err) {
      if ((err as Error).name !== "AbortError") showError((err as Error).message);
    } finally {
      if (inflight === ctrl) input.classList.remove("loading");
    }
  }, 180);

  input.addEventListener("input", () => run(input.value));
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (!results.length) return;
      e.preventDefault();
      active = (active + (e.key === "ArrowDown" ? 1 : -1) + results.length) % results.length;
      render();
    } else if (e.key === "Enter") {
      e.preventDefault();
      if (active >= 0) pick(active);
    } else if (e.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
  input.addEventListener("focus", () => {
    if (results.length && input.value.trim().length >= 2) render();
  });
}
