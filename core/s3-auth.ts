// Request signing check for the embedded S3 server. s3rver lets unsigned requests through as anonymous and does
// not check Signature V4 at all (any known access key passes), so the daemon checks every request itself:
// AWS Signature V4 in the Authorization header, with the key pair kept under the server's directory.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

export interface S3Keys {
  accessKey: string;
  secretKey: string;
}

export interface SignedRequest {
  method: string;
  /** Path and query exactly as sent (still percent-encoded). */
  rawUrl: string;
  headers: IncomingHttpHeaders;
}

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac("sha256", key).update(data).digest();
}

function canonicalQuery(query: string): string {
  if (!query) return "";
  return query
    .split("&")
    .filter(Boolean)
    .map((pair) => (pair.includes("=") ? pair : `${pair}=`))
    .sort()
    .join("&");
}

/** null when the request carries a valid signature by `keys`, else why it is refused. */
export function signatureProblem(req: SignedRequest, keys: S3Keys): string | null {
  const authorization = req.headers.authorization;
  if (!authorization) return "unsigned request (this server requires AWS Signature V4)";
  const m = AUTH.exec(authorization);
  if (!m) return "unsupported Authorization header (this server requires AWS Signature V4)";
  const [, accessKey, day, region, service, signedHeaders, signature] = m as unknown as string[];
  if (accessKey !== keys.accessKey) return "unknown access key";
  const amzDate = String(req.headers["x-amz-date"] ?? "");
  const payloadHash = String(req.headers["x-amz-content-sha256"] ?? "");
  if (!amzDate.startsWith(day as string) || !payloadHash) return "missing x-amz-date or x-amz-content-sha256";
  const names = (signedHeaders as string).split(";");
  if (!names.includes("host")) return "the host header is not signed";
  const headerLines = names.map((name) => {
    const value = req.headers[name];
    return `${name}:${(Array.isArray(value) ? value.join(",") : (value ?? "")).trim().replace(/ +/g, " ")}`;
  });
  const q = req.rawUrl.indexOf("?");
  const path = q < 0 ? req.rawUrl : req.rawUrl.slice(0, q);
  const query = q < 0 ? "" : req.rawUrl.slice(q + 1);
  const canonical = [
    req.method.toUpperCase(),
    path,
    canonicalQuery(query),
    `${headerLines.join("\n")}\n`,
    signedHeaders,
    payloadHash,
  ].join("\n");
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, createHash("sha256").update(canonical).digest("hex")].join("\n");
  let key = hmac(`AWS4${keys.secretKey}`, day as string);
  for (const part of [region as string, service as string, "aws4_request"]) key = hmac(key, part);
  const expected = hmac(key, toSign);
  const given = Buffer.from(signature as string, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected) ? null : "signature does not match";
}
