// Base URL of TileJSON `tiles`: `tiles.publicUrl` when configured; else the host clients reached us by
// (X-Forwarded-Host/-Port/-Proto set by nginx, or Host) but only when it is in `tiles.allowedHosts`: TileJSON is
// `public`, so a shared cache would hand a URL built from a hostile Host to everyone. An unknown host is never
// echoed: the URLs are then root-relative, which a page served by the same nginx (the explorer) resolves itself.
import type { Request } from "express";

const HOST = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?$/;
const PREFIX = /^(\/[A-Za-z0-9._~-]+)*$/;
const DEFAULT_PORT: Record<string, string> = { http: "80", https: "443" };

/** What the answer depends on when it is built from the request (for `Vary`). */
export const PUBLIC_URL_HEADERS = "Host, X-Forwarded-Host, X-Forwarded-Port, X-Forwarded-Proto, X-Forwarded-Prefix";

function first(value: string | undefined): string | undefined {
  return value?.split(",")[0]?.trim() || undefined;
}

/** `name` allows that host on any port, `name:port` on that port only (case-insensitive). */
export function hostAllowed(hostname: string, port: string, allowed: string[]): boolean {
  const name = hostname.toLowerCase();
  return allowed.some((entry) => {
    const m = HOST.exec(entry.trim().toLowerCase());
    return m !== null && m[1] === name && (m[2] === undefined || m[2] === port);
  });
}

export interface PublicBase {
  /** Scheme, host and prefix, or only the prefix ("" or "/cosmo") when the host is not allowed. */
  baseUrl: string;
  /** Whether the base came from the request headers (the answer then varies with them). */
  fromRequest: boolean;
}

export function publicBase(req: Request, settings: { publicUrl: string; allowedHosts: string[] }): PublicBase {
  if (settings.publicUrl) return { baseUrl: settings.publicUrl.replace(/\/+$/, ""), fromRequest: false };
  const proto = first(req.get("X-Forwarded-Proto"));
  const scheme = proto === "https" || proto === "http" ? proto : req.protocol;
  const prefixHeader = first(req.get("X-Forwarded-Prefix"))?.replace(/\/+$/, "") ?? "";
  const prefix = PREFIX.test(prefixHeader) ? prefixHeader : "";
  const m = HOST.exec(first(req.get("X-Forwarded-Host")) ?? req.get("Host") ?? "");
  const forwardedPort = first(req.get("X-Forwarded-Port"));
  const port = m?.[2] ?? (forwardedPort && /^\d{1,5}$/.test(forwardedPort) ? forwardedPort : DEFAULT_PORT[scheme]);
  if (!m?.[1] || !port || !hostAllowed(m[1], port, settings.allowedHosts))
    return { baseUrl: prefix, fromRequest: true };
  const shownPort = port === DEFAULT_PORT[scheme] ? "" : `:${port}`;
  return { baseUrl: `${scheme}://${m[1].toLowerCase()}${shownPort}${prefix}`, fromRequest: true };
}
