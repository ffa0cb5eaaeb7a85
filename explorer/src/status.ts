// One status line for loading and error messages, so a failing API shows a sentence, not a blank page.
import { $ } from "./dom.ts";

let busy = 0;
let errorTimer: ReturnType<typeof setTimeout> | undefined;

export function showError(message: string, opts: { sticky?: boolean } = {}): void {
  const el = $("#status");
  el.textContent = message;
  el.className = "status error";
  el.hidden = false;
  clearTimeout(errorTimer);
  if (!opts.sticky) errorTimer = setTimeout(() => clearError(), 12_000);
}

export function clearError(): void {
  const el = $("#status");
  if (el.classList.contains("error")) {
    el.hidden = busy === 0;
    el.className = "status";
    el.textContent = busy ? "Loading…" : "";
  }
}

/** Wrap an async task: shows "Loading…" while any task runs, and the error message if it fails. */
export async function track<T>(task: Promise<T>): Promise<T | undefined> {
  const el = $("#status");
  busy++;
  if (!el.classList.contains("error")) {
    el.textContent = "Loading…";
    el.className = "status";
    el.hidden = false;
  }
  document.body.setAttribute("aria-busy", "true");
  try {
    return await task;
  } catch (err) {
    if ((err as Error).name !== "AbortError") showError((err as Error).message);
    return undefined;
  } finally {
    busy--;
    if (busy === 0) {
      document.body.removeAttribute("aria-busy");
      if (!el.classList.contains("error")) el.hidden = true;
    }
  }
}
