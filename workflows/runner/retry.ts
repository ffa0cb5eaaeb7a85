// Argo's retryStrategy for a container step: `limit`+1 attempts, the phases `retryPolicy` retries (Failed =
// non-zero exit, Error = runner/artefact errors), and the backoff between attempts (duration × factor^n,
// at most `cap`; no retry that would end past `maxDuration`). The run's abort (workflow deadline) ends the
// retries and cuts a backoff short.
import { CosmoError } from "../../core/errors.ts";
import { parseDurationSeconds } from "./duration.ts";
import { evaluateRetryExpression, type Phase } from "./expr.ts";
import type { Template } from "./library.ts";
import type { NodeStatus, RunNodes } from "./nodes.ts";
import { emptyOutputs, type Outcome } from "./outcome.ts";
import { type Scope, substitute } from "./tags.ts";

const POLICIES = ["Always", "OnFailure", "OnError", "OnTransientError"] as const;
type RetryPolicy = (typeof POLICIES)[number];

export interface RetryPlan {
  /** Retries after the first attempt. */
  limit: number;
  policy: RetryPolicy;
  /** Backoff, in seconds. */
  duration: number;
  factor: number;
  cap?: number;
  maxDuration?: number;
  /** maxDuration as written, for the message when it stops the retries. */
  maxDurationText?: string;
  /** retryStrategy.expression with its tags resolved: retried only when both it and the policy allow. */
  expression?: string;
  where: string;
}

/** Template `t`'s retryStrategy with its tags resolved; no strategy: one attempt. */
export function retryPlan(t: Template, scope: Scope, where: string): RetryPlan {
  const rs = t.retryStrategy;
  const limit =
    rs?.limit === undefined ? 0 : Number(substitute(String(rs.limit), scope, `${where}.retryStrategy.limit`));
  if (!Number.isInteger(limit) || limit < 0)
    throw new CosmoError(`${where}: retryStrategy.limit must be a non-negative integer`);
  const policy = rs?.retryPolicy ?? "OnFailure";
  if (!(POLICIES as readonly string[]).includes(policy))
    throw new CosmoError(`${where}: unknown retryPolicy ${policy}`);
  return {
    limit,
    policy: policy as RetryPolicy,
    duration: parseDurationSeconds(rs?.backoff?.duration, `${where}.backoff.duration`) ?? 0,
    factor: Number(rs?.backoff?.factor ?? 1),
    cap: parseDurationSeconds(rs?.backoff?.cap, `${where}.backoff.cap`),
    maxDuration: parseDurationSeconds(rs?.backoff?.maxDuration, `${where}.backoff.maxDuration`),
    maxDurationText: rs?.backoff?.maxDuration,
    expression:
      rs?.expression === undefined ? undefined : substitute(rs.expression, scope, `${where}.retryStrategy.expression`),
    where,
  };
}

function policyRetries(policy: RetryPolicy, phase: Phase): boolean {
  return (
    policy === "Always" ||
    (policy === "OnFailure" && phase === "Failed") ||
    ((policy === "OnError" || policy === "OnTransientError") && phase === "Error")
  );
}

/** Argo: the policy and the expression (when there is one) must both allow another attempt. */
function retries(plan: RetryPlan, last: Outcome, seconds: number): boolean {
  if (!policyRetries(plan.policy, last.phase)) return false;
  if (plan.expression === undefined) return true;
  return evaluateRetryExpression(
    plan.expression,
    {
      exitCode: String(last.exitCode ?? -1),
      status: last.phase === "Error" ? "Error" : "Failed",
      duration: String(Math.round(seconds)),
      message: last.message ?? "",
    },
    `${plan.where}.retryStrategy.expression`,
  );
}

export interface Retrying {
  node: NodeStatus;
  nodes: RunNodes;
  signal: AbortSignal;
  /** Caps every backoff (tests, demos). */
  maxBackoffSeconds?: number;
}

/** Runs `attempt(0)`, `attempt(1)`… as the plan allows, keeping `node` up to date; the last outcome. */
export async function withRetries(
  plan: RetryPlan,
  { node, nodes, signal, maxBackoffSeconds }: Retrying,
  attempt: (n: number) => Promise<Outcome>,
): Promise<Outcome> {
  const { limit } = plan;
  const started = Date.now();
  node.attempts = limit + 1;
  let last: Outcome = { phase: "Error", outputs: emptyOutputs() };
  for (let n = 0; n <= limit; n++) {
    node.attempt = n + 1;
    node.phase = "Running";
    node.message = n ? `attempt ${n + 1}/${limit + 1}` : undefined;
    nodes.changed(node);
    const attemptStarted = Date.now();
    last = await attempt(n);
    if (last.phase === "Succeeded" || signal.aborted) return last;
    if (n === limit || !retries(plan, last, (Date.now() - attemptStarted) / 1000)) {
      if (n > 0) last.message = `${last.message ?? ""} (after ${n + 1} attempts)`;
      if (n < limit && plan.expression !== undefined && policyRetries(plan.policy, last.phase))
        last.message = `${last.message ?? ""} (not retried: retryStrategy.expression is false)`;
      return last;
    }
    let delay = plan.duration * plan.factor ** n;
    if (plan.cap !== undefined) delay = Math.min(delay, plan.cap);
    if (plan.maxDuration !== undefined && (Date.now() - started) / 1000 + delay > plan.maxDuration) {
      last.message = `${last.message ?? ""} (retry stopped: backoff.maxDuration ${plan.maxDurationText} reached)`;
      return last;
    }
    if (maxBackoffSeconds !== undefined) delay = Math.min(delay, maxBackoffSeconds);
    node.message = `${last.phase}: ${last.message ?? ""}; retry ${n + 2}/${limit + 1} in ${delay}s`;
    nodes.changed(node);
    await sleep(delay * 1000, signal);
  }
  return last;
}

/** Waits `ms`, or less if the run is aborted meanwhile. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}
