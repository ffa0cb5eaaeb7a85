// Base URL clients reached us by: configured, else X-Forwarded-* (set by nginx/ingress), else Host.
// Header values are checked so a hostile Host cannot inject markup or another scheme into TileJSON.
import type { Request } from "express";

const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;
const PREFIX = /^(\/[A-Za-z0-9._~-]+)*$/;

function first(value: string | undefined): string | undefined {
  return value?.split(",")[0]?.trim() || undefined;
}

export function publicBaseUrl(req: Request, configured: string): string {
  if (configured) return configured.replace(/\/+$/, "");
  const proto = first(req.get("X-Forwarded-Proto"));
  const scheme = proto === "https" || proto === "http" ? proto : req.protocol;
  const forwardedHost = first(req.get("X-Forwarded-Host"));
  const host =
    [forwardedHost, req.get("Host")].find((h) => h && HOST.test(h)) ??
    `${req.socket.localAddress}:${req.socket.localPort}`;
  const prefix = first(req.get("X-Forwarded-Prefix"))?.replace(/\/+$/, "") ?? "";
  return `${scheme}://${host}${PREFIX.test(prefix) ? prefix : ""}`;
}
