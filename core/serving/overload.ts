// Admission control: at most `maxInFlight` requests are worked on, up to `queue` more wait (for at most
// `queueTimeoutMs`), and anything beyond gets an immediate 503 + Retry-After without touching the database.
// Shedding early keeps latency of admitted requests bounded instead of letting the pg pool queue grow unbounded.
import type { RequestHandler } from "express";
import { sendError } from "./http-errors.ts";

export interface AdmissionOptions {
  service: string;
  maxInFlight: number;
  queue: number;
  queueTimeoutMs?: number;
  retryAfterSeconds?: number;
}

export interface Admission {
  middleware: RequestHandler;
  stats(): { inFlight: number; queued: number; rejected: number };
}

export function createAdmission(opts: AdmissionOptions): Admission {
  let inFlight = 0;
  let rejected = 0;
  const waiting: Array<() => void> = [];
  const retryAfter = opts.retryAfterSeconds ?? 1;
  const queueTimeoutMs = opts.queueTimeoutMs ?? 2000;

  const busy = (res: Parameters<RequestHandler>[1]) => {
    rejected++;
    res.set("Retry-After", String(retryAfter));
    sendError(res, 503, "busy", `${opts.service} is busy; retry after ${retryAfter} s`, {
      retryAfter,
      limits: { maxInFlight: opts.maxInFlight, queue: opts.queue },
    });
  };

  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else inFlight--;
  };

  const middleware: RequestHandler = (req, res, next) => {
    let admitted = false;
    const admit = () => {
      admitted = true;
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        release();
      };
      res.once("finish", finish);
      res.once("close", finish);
      next();
    };
    if (inFlight < opts.maxInFlight) {
      inFlight++;
      admit();
      return;
    }
    if (waiting.length >= opts.queue) {
      busy(res);
      return;
    }
    // The slot is handed over by release() without decrementing inFlight, so no one can overtake the queue.
    const entry = () => {
      clearTimeout(timer);
      if (res.writableEnded || req.destroyed) {
        release();
        return;
      }
      admit();
    };
    const timer = setTimeout(() => {
      const i = waiting.indexOf(entry);
      if (i >= 0) waiting.splice(i, 1);
      if (!admitted) busy(res);
    }, queueTimeoutMs);
    timer.unref();
    waiting.push(entry);
  };

  return { middleware, stats: () => ({ inFlight, queued: waiting.length, rejected }) };
}
