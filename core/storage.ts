// The artefact store: S3 via the minio client (embedded S3 server when no endpoint is configured);
// local paths and file:// URLs are accepted wherever an artefact URL is (artefact-url.ts takes them apart).
import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { pathToFileURL } from "node:url";
import type * as Minio from "minio";
import { localPath, parseArtefactUrl } from "./artefact-url.ts";
import { type Config, getConfig } from "./config.ts";
import { ensureEmbeddedS3 } from "./embedded-s3.ts";
import { CosmoError, EXIT, InputError } from "./errors.ts";
import { projectPath } from "./paths.ts";
import { isUnreachable, unreachableReason } from "./ports.ts";
import { removeOrphanDownloads, removeOrphanSiblings } from "./temp-files.ts";

export interface ObjectInfo {
  size: number;
  etag: string;
  lastModified: Date;
}

export interface ListedObject extends ObjectInfo {
  url: string;
}

export interface Pointer {
  target: string;
  updatedAt: string;
  [extra: string]: unknown;
}

export class ArtefactStore {
  readonly defaultBucket: string;
  private readonly knownBuckets = new Set<string>();
  /** The S3 client: given, or made from `settings` at the first S3 operation (see openStore). */
  private client: Promise<Minio.Client> | null;
  private readonly settings: (() => Promise<S3Settings>) | null;

  /** For messages: where the S3 server is (known once connected). */
  endpoint: string;

  constructor(client: Minio.Client | (() => Promise<S3Settings>), defaultBucket: string, endpoint = "") {
    this.client = typeof client === "function" ? null : Promise.resolve(client);
    this.settings = typeof client === "function" ? client : null;
    this.defaultBucket = defaultBucket;
    this.endpoint = endpoint;
  }

  private s3(): Promise<Minio.Client> {
    this.client ??= (this.settings as () => Promise<S3Settings>)().then((settings) => {
      this.endpoint = settings.endpoint;
      return minioClientFor(settings);
    });
    return this.client;
  }

  /** Run one S3 operation; "nothing answers there" becomes an exit-5 error naming the endpoint. */
  private async remote<T>(op: (client: Minio.Client) => Promise<T>): Promise<T> {
    const client = await this.s3();
    try {
      return await op(client);
    } catch (err) {
      if (!isUnreachable(err)) throw err;
      const reason = unreachableReason(err);
      throw new CosmoError(
        `S3 server at ${this.endpoint || "(unknown endpoint)"} unreachable (${reason}): is it running?`,
        {
          exitCode: EXIT.unavailable,
          cause: err,
        },
      );
    }
  }

  /** `s3://<default bucket>/<key>`. */
  url(key: string): string {
    return `s3://${this.defaultBucket}/${key.replace(/^\/+/, "")}`;
  }

  async ensureBucket(bucket: string): Promise<void> {
    if (this.knownBuckets.has(bucket)) return;
    await this.remote(async (client) => {
      if (!(await client.bucketExists(bucket))) {
        try {
          await client.makeBucket(bucket);
        } catch (err) {
          // Another process made it in the meantime.
          if (!(await client.bucketExists(bucket))) throw err;
        }
      }
    });
    this.knownBuckets.add(bucket);
  }

  async get(url: string): Promise<Readable> {
    const loc = parseArtefactUrl(url);
    if (loc.kind === "file") {
      const info = await stat(loc.path).catch(() => null);
      if (!info?.isFile()) throw new InputError("no such file", { file: url });
      return createReadStream(loc.path);
    }
    try {
      return await this.remote((client) => client.getObject(loc.bucket, loc.key));
    } catch (err) {
      if (isNotFound(err)) throw new InputError(`no such object`, { file: url });
      throw err;
    }
  }

  /** Copy an artefact into a local file; a connection lost on the way fails as any other S3 operation (exit 5). */
  async copyTo(url: string, path: string): Promise<void> {
    const source = await this.get(url);
    await this.remote(() => pipeline(source, createWriteStream(path)));
  }

  async getBuffer(url: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.get(url)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /** Write an object; local files are written to a temp name and renamed, so readers never see half a file. */
  async put(
    url: string,
    body: Readable | Buffer | string,
    opts: { contentType?: string } = {},
  ): Promise<{ etag: string }> {
    const loc = parseArtefactUrl(url);
    if (loc.kind === "file") {
      await writeLocalFile(loc.path, body);
      const info = await this.stat(url);
      return { etag: info?.etag ?? "" };
    }
    await this.ensureBucket(loc.bucket);
    const meta = opts.contentType ? { "Content-Type": opts.contentType } : {};
    const data = typeof body === "string" ? Buffer.from(body) : body;
    const res = await this.remote((client) =>
      Buffer.isBuffer(data)
        ? client.putObject(loc.bucket, loc.key, data, data.length, meta)
        : client.putObject(loc.bucket, loc.key, data, undefined, meta),
    );
    return { etag: res.etag };
  }

  async stat(url: string): Promise<ObjectInfo | null> {
    const loc = parseArtefactUrl(url);
    if (loc.kind === "file") {
      const s = await stat(loc.path).catch(() => null);
      if (!s?.isFile()) return null;
      return {
        size: s.size,
        etag: `${s.size.toString(16)}-${Math.floor(s.mtimeMs).toString(16)}`,
        lastModified: s.mtime,
      };
    }
    try {
      const s = await this.remote((client) => client.statObject(loc.bucket, loc.key));
      return { size: s.size, etag: s.etag, lastModified: s.lastModified };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async exists(url: string): Promise<boolean> {
    return (await this.stat(url)) !== null;
  }

  /** Every object under a prefix (recursive), sorted by URL. */
  async list(prefixUrl: string): Promise<ListedObject[]> {
    const loc = parseArtefactUrl(prefixUrl);
    const out: ListedObject[] = [];
    if (loc.kind === "file") {
      const walk = async (dir: string): Promise<void> => {
        const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
        for (const e of entries) {
          const p = join(dir, e.name);
          if (e.isDirectory()) await walk(p);
          else if (e.isFile()) {
            const info = await this.stat(p);
            if (info) out.push({ url: p, ...info });
          }
        }
      };
      const s = await stat(loc.path).catch(() => null);
      if (s?.isFile()) {
        const info = await this.stat(loc.path);
        if (info) out.push({ url: loc.path, ...info });
      } else await walk(loc.path);
    } else {
      await this.ensureBucket(loc.bucket);
      await this.remote(async (client) => {
        const stream = client.listObjectsV2(loc.bucket, loc.key, true);
        for await (const item of stream as AsyncIterable<Minio.BucketItem>) {
          if (!item.name) continue;
          out.push({
            url: `s3://${loc.bucket}/${item.name}`,
            size: item.size,
            etag: item.etag ?? "",
            lastModified: item.lastModified ?? new Date(0),
          });
        }
      });
    }
    return out.sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
  }

  async remove(url: string): Promise<void> {
    const loc = parseArtefactUrl(url);
    if (loc.kind === "file") await rm(loc.path, { force: true });
    else await this.remote((client) => client.removeObject(loc.bucket, loc.key));
  }

  async sha256(url: string): Promise<string> {
    const hash = createHash("sha256");
    await pipeline(await this.get(url), hash);
    return hash.digest("hex");
  }

  /** Atomic "latest" pointer: one small JSON object naming the target (a single PUT replaces it whole). */
  async setPointer(pointerUrl: string, targetUrl: string, extra: Record<string, unknown> = {}): Promise<void> {
    const pointer: Pointer = { ...extra, target: targetUrl, updatedAt: new Date().toISOString() };
    await this.put(pointerUrl, JSON.stringify(pointer), { contentType: "application/json" });
  }

  async getPointer(pointerUrl: string): Promise<Pointer | null> {
    if (!(await this.exists(pointerUrl))) return null;
    return JSON.parse((await this.getBuffer(pointerUrl)).toString("utf8")) as Pointer;
  }
}

/** A local file written whole or not at all: a temporary sibling renamed over it, so readers never see half a file. */
export async function writeLocalFile(path: string, body: Readable | Buffer | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await removeOrphanSiblings(path);
  const tmp = `${path}.tmp-${process.pid}-${randomUUID().slice(0, 8)}`;
  try {
    const source = typeof body === "string" || Buffer.isBuffer(body) ? Readable.from([Buffer.from(body)]) : body;
    await pipeline(source, createWriteStream(tmp));
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

function isNotFound(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === "NoSuchKey" || code === "NotFound" || code === "NoSuchBucket";
}

export interface S3Settings {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  region: string;
  bucket: string;
}

/** The S3 endpoint and keys to use: configured ones, else the embedded server's. */
export async function s3Settings(config: Config = getConfig()): Promise<S3Settings> {
  const s = config.storage;
  if (s.endpoint) {
    return {
      endpoint: s.endpoint,
      accessKey: s.accessKey ?? "",
      secretKey: s.secretKey ?? "",
      region: s.region,
      bucket: s.bucket,
    };
  }
  const embedded = await ensureEmbeddedS3(projectPath(s.embeddedDir));
  return { endpoint: embedded.endpoint, ...embedded.keys, region: s.region, bucket: s.bucket };
}

/**
 * The minio client library, loaded when a store is first opened rather than with this module: it is most of
 * the start-up of every command that can reach a store (nearly all), used by few of their runs. Synchronous
 * (require) so that storeFor stays synchronous for its callers.
 */
let minio: typeof Minio | undefined;
function minioClient(options: Minio.ClientOptions): Minio.Client {
  minio ??= createRequire(import.meta.url)("minio") as typeof Minio;
  return new minio.Client(options);
}

export function storeFor(settings: S3Settings): ArtefactStore {
  return new ArtefactStore(minioClientFor(settings), settings.bucket, settings.endpoint);
}

function minioClientFor(settings: S3Settings): Minio.Client {
  const u = new URL(settings.endpoint);
  const useSSL = u.protocol === "https:";
  const client = minioClient({
    endPoint: u.hostname,
    port: u.port ? Number(u.port) : useSSL ? 443 : 80,
    useSSL,
    accessKey: settings.accessKey,
    secretKey: settings.secretKey,
    region: settings.region,
    pathStyle: true,
  });
  allowServersWithoutUploadListing(client);
  return client;
}

/**
 * The minio client looks for an unfinished multipart upload to resume before every streamed PUT, with
 * ListMultipartUploads, which some S3-protocol servers (s3rver among them) do not implement. We never resume
 * uploads, so "not implemented" there simply means "none to resume".
 */
function allowServersWithoutUploadListing(client: Minio.Client): void {
  const target = client as unknown as { findUploadId(bucket: string, key: string): Promise<string | undefined> };
  const original = target.findUploadId.bind(client);
  target.findUploadId = async (bucket, key) => {
    try {
      return await original(bucket, key);
    } catch (err) {
      if ((err as { code?: string }).code === "NotImplemented") return undefined;
      throw err;
    }
  };
}

/** The configured store. Its S3 server (the embedded one when none is configured) is reached, and started, at its
 * first S3 operation: a command given only local paths or file:// URLs never starts it. */
export async function openStore(config: Config = getConfig()): Promise<ArtefactStore> {
  return new ArtefactStore(() => s3Settings(config), config.storage.bucket);
}

// The functions below take any artefact URL and open the store only for an s3:// one: a local path or file://
// URL never starts the embedded S3 server.

/** Write an artefact (atomically: see ArtefactStore.put). Returns where it went: the local path or the s3:// URL. */
export async function putArtefact(
  url: string,
  body: Buffer | string,
  opts: { contentType?: string; config?: Config } = {},
): Promise<string> {
  const path = localPath(url);
  if (path !== null) {
    await writeLocalFile(path, body);
    return path;
  }
  await (await openStore(opts.config)).put(url, body, { contentType: opts.contentType });
  return url;
}

/** An artefact's text, or null when there is none. */
export async function readArtefactText(
  url: string,
  opts: { store?: ArtefactStore; config?: Config } = {},
): Promise<string | null> {
  const path = localPath(url);
  if (path !== null) {
    try {
      return await readFile(path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    }
  }
  const store = opts.store ?? (await openStore(opts.config));
  if (!(await store.exists(url))) return null;
  return (await store.getBuffer(url)).toString("utf8");
}

/** A local file with an artefact's content, removed by `cleanup` when it is a temporary copy. */
export interface LocalFile {
  path: string;
  cleanup(): Promise<void>;
}

/**
 * A local file with the artefact's content: the file itself for a local path or file:// URL (no store is opened,
 * so no embedded S3 server is started for it), a temporary download for s3:// (from `store`, else the
 * configured store). A download that fails removes its temporary copy before the error is thrown.
 */
export async function localFile(
  url: string,
  opts: { store?: ArtefactStore; config?: Config } = {},
): Promise<LocalFile> {
  const loc = parseArtefactUrl(url);
  if (loc.kind === "file") {
    const info = await stat(loc.path).catch(() => null);
    if (!info?.isFile()) throw new InputError("no such file", { file: url });
    return { path: loc.path, cleanup: async () => undefined };
  }
  const store = opts.store ?? (await openStore(opts.config));
  await removeOrphanDownloads();
  const dir = join(tmpdir(), `cosmo-${process.pid}-${randomUUID().slice(0, 8)}`);
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    await mkdir(dir, { recursive: true });
    const path = join(dir, loc.key.split("/").pop() || "artefact");
    await store.copyTo(url, path);
    return { path, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** file:// URL for a local path (for messages and pointers). */
export function fileUrl(path: string): string {
  return pathToFileURL(projectPath(path)).href;
}

export { relative as relativePath };
