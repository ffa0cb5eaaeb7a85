// Deadlines as Argo applies them: the workflow's activeDeadlineSeconds stops the whole run (running steps
// are killed through the run's abort signal, nothing new starts); a template's activeDeadlineSeconds and
// timeout (the shorter one wins) kill that template's container.
import { parseDurationSeconds } from "./duration.ts";
import type { Template } from "./library.ts";
import { type Scope, substitute } from "./tags.ts";

/** Aborts the run once the workflow's deadline has passed; returns the function that disarms it. */
export function armWorkflowDeadline(seconds: number | undefined, abort: AbortController): () => void {
  if (!seconds) return () => {};
  const timer = setTimeout(
    () => abort.abort(new Error(`workflow activeDeadlineSeconds ${seconds}s exceeded`)),
    seconds * 1000,
  );
  return () => clearTimeout(timer);
}

/** Why the run was stopped (the workflow deadline's message). */
export function abortMessage(signal: AbortSignal): string {
  return String((signal.reason as Error).message);
}

/** The seconds a container of template `t` may run, or undefined for no limit. */
export function templateDeadlineSeconds(t: Template, scope: Scope, where: string): number | undefined {
  const values = [
    t.activeDeadlineSeconds === undefined
      ? undefined
      : Number(substitute(String(t.activeDeadlineSeconds), scope, `${where}.activeDeadlineSeconds`)),
    parseDurationSeconds(t.timeout && substitute(t.timeout, scope, `${where}.timeout`), `${where}.timeout`),
  ].filter((v): v is number => v !== undefined && !Number.isNaN(v));
  return values.length ? Math.min(...values) : undefined;
}
