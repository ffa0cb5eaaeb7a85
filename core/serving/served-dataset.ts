// Which dataset version the services answer from. Shared by tiles/ and api/ (both are the serving work).
// On the primary, a dedicated connection LISTENs on `cosmo_dataset` (the publish transaction NOTIFYs it after
// commit), and a cheap poll of cosmo.served every few seconds covers a lost notification or a dropped listener.
// On a streaming replica no notification arrives (NOTIFY is not replicated; LISTEN is refused in recovery): the
// poll alone follows the replica's replay of cosmo.served, often. The replica replays a version's tables before the
// cosmo.served row that names it, so what the poll reads is whole. Requests read the in-memory value once and query
// that schema only, so one response never mixes two versions.
import pg from "pg";
import type { Logger } from "pino";
import { loadSql } from "../sql.ts";

export interface ServedRef {
  version: number;
  /** The version's schema (a plain identifier: the SQL template quotes it). */
  schema: string;
}

export interface ServedDatasetOptions {
  /** Poll period even when LISTEN works (lost notifications, manual edits). */
  pollMs?: number;
  /** LISTEN for publishes (default); false on a replica, where only the poll can see them. */
  listen?: boolean;
  log?: Logger;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/;
/** A listener connection not up within this is given up and retried (the poll covers the meantime). */
const LISTENER_CONNECT_TIMEOUT_MS = 10_000;

export async function readServed(pool: pg.Pool): Promise<ServedRef | null> {
  const { rows } = await pool.query<{ version: number; schema_name: string }>(
    loadSql(import.meta.url, "sql/served.sql"),
  );
  const row = rows[0];
  return row ? datasetRef(row.version, row.schema_name) : null;
}

/** The reference to one version's schema, as read from cosmo.datasets. */
export function datasetRef(version: number, schemaName: string): ServedRef {
  // The schema name is spliced into SQL text: accept only plain identifiers, whatever the table says.
  if (!SCHEMA_NAME.test(schemaName)) throw new Error(`cosmo.datasets: unexpected schema name "${schemaName}"`);
  return { version, schema: schemaName };
}

export class ServedDataset {
  private value: ServedRef | null = null;
  private loaded = false;
  private listener: pg.Client | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  /** A listen() under way: close() waits for it (a connection it opens after close() began, it ends itself). */
  private listening: Promise<void> | null = null;
  private refreshing: Promise<ServedRef | null> | null = null;
  private closed = false;
  private readonly listeners = new Set<(ref: ServedRef | null, previous: ServedRef | null) => void>();

  constructor(
    private readonly db: { url: string; pool: pg.Pool },
    private readonly opts: ServedDatasetOptions = {},
  ) {}

  async start(): Promise<void> {
    if (this.opts.listen !== false) await this.listen();
    await this.refresh().catch((err) => this.opts.log?.warn({ err }, "served dataset: first read failed"));
    this.pollTimer = setInterval(() => {
      this.refresh().catch((err) => this.opts.log?.warn({ err: String(err) }, "served dataset: poll failed"));
    }, this.opts.pollMs ?? 5000);
    this.pollTimer.unref();
  }

  /** The served version as last seen (no database round trip unless nothing was read yet). */
  async current(): Promise<ServedRef | null> {
    if (!this.loaded) return this.refresh();
    return this.value;
  }

  /** Synchronous view for fast paths: undefined until the first read completed. */
  peek(): ServedRef | null | undefined {
    return this.loaded ? this.value : undefined;
  }

  onChange(fn: (ref: ServedRef | null, previous: ServedRef | null) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Re-read cosmo.served (coalesces concurrent calls). */
  refresh(): Promise<ServedRef | null> {
    this.refreshing ??= readServed(this.db.pool)
      .catch((err) => {
        // No cosmo schema yet = nothing published; anything else is a real failure.
        if ((err as { code?: string }).code === "42P01" || (err as { code?: string }).code === "3F000") return null;
        throw err;
      })
      .then((ref) => {
        const previous = this.value;
        this.value = ref;
        this.loaded = true;
        if (ref?.version !== previous?.version) {
          this.opts.log?.info({ version: ref?.version ?? null, previous: previous?.version ?? null }, "served dataset");
          for (const fn of this.listeners) fn(ref, previous);
        }
        return ref;
      })
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }

  private listen(): Promise<void> {
    this.listening = this.connectListener().finally(() => {
      this.listening = null;
    });
    return this.listening;
  }

  private async connectListener(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({
      connectionString: this.db.url,
      application_name: "cosmo-served-listener",
      // close() waits for a connect under way: bounded, so a silent network cannot hold a shutdown for minutes
      connectionTimeoutMillis: LISTENER_CONNECT_TIMEOUT_MS,
    });
    client.on("error", (err) => {
      this.opts.log?.warn({ err: String(err) }, "served dataset: listener lost, polling until reconnected");
      this.dropListener(client);
    });
    client.on("end", () => this.dropListener(client));
    client.on("notification", (msg) => {
      if (msg.channel !== "cosmo_dataset") return;
      this.refresh().catch((err) => this.opts.log?.warn({ err: String(err) }, "served dataset: refresh failed"));
    });
    try {
      await client.connect();
      await client.query("LISTEN cosmo_dataset");
    } catch (err) {
      // not awaited: after a failed connect, pg's end() may wait for a goodbye that never comes
      client.end().catch(() => undefined);
      if (this.closed) return;
      this.opts.log?.warn({ err: String(err) }, "served dataset: cannot LISTEN, retrying");
      this.scheduleReconnect();
      return;
    }
    // closed while it connected: close() did not see this connection, so it is ended here
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    // A publish may have happened while we were disconnected.
    if (this.loaded) await this.refresh().catch(() => undefined);
  }

  private dropListener(client: pg.Client): void {
    if (this.listener !== client) return;
    this.listener = null;
    client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.listen();
    }, 2000);
    this.reconnectTimer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.listener;
    this.listener = null;
    await client?.end().catch(() => undefined);
    await this.listening;
    await this.refreshing?.catch(() => undefined);
  }
}
