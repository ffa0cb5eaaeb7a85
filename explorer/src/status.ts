// One status area for loading and error messages, so a failing API shows a sentence, not a blank page.
// Distinct errors are listed together (API down and tiles down are two facts); each fades after a while
// unless it is sticky.
import { $, h, replaceChildren } from "./dom.ts";

let busy = 0;
const errors = new Map<string, ReturnType<typeof setTimeout> | null>();

function render(): void {
  const el = $("#status");
  if (errors.size) {
    el.className = "status error";
    replaceChildren(
      el,
      [...errors.keys()].map((m) => h("div", {}, m)),
    );
    el.hidden = false;
  } else {
    el.className = "status";
    el.textContent = busy ? "Loading…" : "";
    el.hidden = busy === 0;
  }
}

export function showError(message: string, opts: { sticky?: boolean } = {}): void {
  const previous = errors.get(message);
  if (previous) clearTimeout(previous);
  errors.delete(message); // re-insert: the newest message goes last
  errors.set(message, opts.sticky ? null : setTimeout(() => dismiss(message), 12_000));
  // Keep the list short; sticky messages (the API is down…) outlive passing ones.
  while (errors.size > 4) {
    const passing = [...errors].find(([, timer]) => timer !== null);
    dismiss(passing ? passing[0] : (errors.keys().next().value as string));
  }
  render();
}

function dismiss(message: string): void {
  const t = errors.get(message);
  if (t) clearTimeout(t);
  errors.delete(message);
  render();
}

/** Forget the errors (e.g. the API answered again). */
export function clearErrors(prefix = ""): void {
  for (const m of [...errors.keys()]) if (m.startsWith(prefix)) dismiss(m);
}

/** Wrap an async task: shows "Loading…" while any task runs, and the error message if it fails. */
export async function track<T>(task: Promise<T>): Promise<T | undefined> {
  busy++;
  render();
  document.body.setAttribute("aria-busy", "true");
  try {
    return await task;
  } catch (err) {
    if ((err as Error).name !== "AbortError") showError((err as Error).message);
    return undefined;
  } finally {
    busy--;
    if (busy === 0) document.body.removeAttribute("aria-busy");
    render();
  }
}
