// JSON errors for both services: one shape `{error, message, ...details}` and a final Express error handler that
// never turns a client mistake (bad escape in the URL, oversized header…) into a 5xx.
import type { ErrorRequestHandler, RequestHandler, Response } from "express";
import type { Logger } from "pino";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export function badParameter(parameter: string, reason: string): HttpError {
  return new HttpError(400, "invalid_parameter", `${parameter}: ${reason}`, { parameter, reason });
}

export function sendError(res: Response, status: number, code: string, message: string, details = {}): void {
  if (res.headersSent) return;
  res.status(status).type("application/json").set("Cache-Control", "no-store");
  res.send(JSON.stringify({ error: code, message, ...details }));
}

export function notFoundHandler(): RequestHandler {
  return (req, res) => sendError(res, 404, "not_found", `no route for ${req.method} ${safePath(req.path)}`);
}

/** Echo at most a short, printable excerpt of what the client sent. */
export function safePath(path: string): string {
  const clean = path.replace(/[^\x20-\x7e]/g, "?");
  return clean.length > 120 ? `${clean.slice(0, 117)}...` : clean;
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (err instanceof HttpError) {
      sendError(res, err.status, err.code, err.message, err.details);
      return;
    }
    // Errors raised by Express/body parsing/URL decoding carry a 4xx status: the client's fault.
    const status = Number(
      (err as { status?: number; statusCode?: number }).status ?? (err as { statusCode?: number }).statusCode,
    );
    if (status >= 400 && status < 500) {
      sendError(res, status, "bad_request", (err as Error).message || "bad request");
      return;
    }
    const code = (err as { code?: string }).code;
    if (code === "57014") {
      // statement_timeout: the database is the bottleneck, tell the client to come back.
      res.set("Retry-After", "2");
      sendError(res, 503, "timeout", "the database did not answer in time");
      return;
    }
    if (
      code === "ECONNREFUSED" ||
      code === "ECONNRESET" ||
      /^(08|57P|3D000)/.test(code ?? "") ||
      /Connection terminated/.test(String((err as Error).message))
    ) {
      // Database down or restarting: a transient condition, not a bug.
      log.warn({ err: String(err), path: req.path }, "database unavailable");
      res.set("Retry-After", "5");
      sendError(res, 503, "unavailable", "the database is unavailable");
      return;
    }
    log.error({ err, path: req.path }, "request failed");
    sendError(res, 500, "internal", "internal error");
  };
}
