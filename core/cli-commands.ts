// Commands for the embedded services and the artefact store: `cosmo db …`, `cosmo s3 …`, `cosmo store …`.
import { spawnSync } from "node:child_process";
import { open } from "node:fs/promises";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Command } from "commander";
import { passOptionsThrough, runAction } from "./cli.ts";
import { embeddedS3Status, stopEmbeddedS3 } from "./embedded-s3.ts";
import { CosmoError, InputError } from "./errors.ts";
import { projectPath } from "./paths.ts";

// The config's schema (zod, yaml), the database client (pg) and the store are loaded by the command that uses
// them, not for `--help` (start-up, issue 17).
const getConfig = async () => (await import("./config.ts")).getConfig();
const databaseUrl = async () => (await import("./db.ts")).databaseUrl();
const openStore = async () => (await import("./storage.ts")).openStore();
const s3Settings = async () => (await import("./storage.ts")).s3Settings();
const embeddedPg = () => import("./embedded-pg.ts");

function print(value: unknown): void {
  process.stdout.write(`${typeof value === "string" ? value : JSON.stringify(value, null, 2)}\n`);
}

/** A local file to read, opened before anything is stored: a missing or unreadable one is bad input. */
async function openInputFile(file: string): Promise<Readable> {
  try {
    const handle = await open(file);
    if (!(await handle.stat()).isFile()) {
      await handle.close();
      throw new InputError("not a file", { file });
    }
    return handle.createReadStream();
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(
      `cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      { file },
      { cause: err },
    );
  }
}

function dbCommand(): Command {
  const db = new Command("db")
    .description("The database: embedded PostgreSQL+PostGIS unless DATABASE_URL is set")
    .enablePositionalOptions();
  db.command("start")
    .description("start (or reuse) the embedded cluster and print its URL")
    .action(runAction(async () => print(await databaseUrl())));
  db.command("url")
    .description("print the database URL in use (starts the embedded cluster if needed)")
    .action(runAction(async () => print(await databaseUrl())));
  db.command("status")
    .description("is the embedded cluster running, and on which port")
    .action(
      runAction(async () =>
        print((await embeddedPg()).embeddedStatus(projectPath((await getConfig()).database.embeddedDir))),
      ),
    );
  db.command("stop")
    .description("stop the embedded cluster")
    .action(
      runAction(async () =>
        print({
          stopped: (await embeddedPg()).stopEmbeddedPostgres(projectPath((await getConfig()).database.embeddedDir)),
        }),
      ),
    );
  passOptionsThrough(db.command("psql"))
    .description("open psql on the database in use; everything after `psql` goes to psql (`-- --help` for its help)")
    .argument("[args...]", 'psql arguments, e.g. -c "select 1"')
    .action(
      runAction(async (args: string[]) => {
        const res = spawnSync("psql", [await databaseUrl(), ...args], { stdio: "inherit" });
        if (res.error) throw new CosmoError(`cannot run psql (${res.error.message}): install the PostgreSQL client`);
        process.exitCode = res.status ?? 1;
      }),
    );
  return db;
}

function s3Command(): Command {
  const s3 = new Command("s3").description("The artefact store's S3 server: embedded unless S3_ENDPOINT is set");
  s3.command("start")
    .description("start (or reuse) the embedded S3 server and print its endpoint")
    .action(runAction(async () => print((await s3Settings()).endpoint)));
  s3.command("url")
    .description("print the S3 endpoint in use")
    .action(runAction(async () => print((await s3Settings()).endpoint)));
  s3.command("status")
    .description("is the embedded S3 server running")
    .action(runAction(async () => print(embeddedS3Status(projectPath((await getConfig()).storage.embeddedDir)))));
  s3.command("stop")
    .description("stop the embedded S3 server")
    .action(
      runAction(async () =>
        print({ stopped: await stopEmbeddedS3(projectPath((await getConfig()).storage.embeddedDir)) }),
      ),
    );
  return s3;
}

function storeCommand(): Command {
  const store = new Command("store").description("The artefact store (s3://bucket/key, file:///path or a path)");
  store
    .command("fetch")
    .description(
      "copy a URL (http, s3) or file into the artefact store; prints {url, sha256, etag, size, unchanged} (http: a 304 to the origin's ETag/Last-Modified keeps the stored copy)",
    )
    .argument("<source>", "http(s) URL, s3:// URL or local path")
    .argument("<target>", "s3://bucket/key (or a local path)")
    .action(
      runAction(async (source: string, target: string) => {
        const { fetchArtefact } = await import("./fetch-artefact.ts");
        print(await fetchArtefact(await openStore(), source, target));
      }),
    );
  store
    .command("get")
    .description("write an artefact to stdout")
    .argument("<url>")
    .action(
      runAction(async (url: string) => {
        await pipeline(await (await openStore()).get(url), process.stdout);
      }),
    );
  store
    .command("put")
    .description("store stdin or a file as an artefact")
    .argument("<url>")
    .argument("[file]", "local file (default: stdin)")
    .action(
      runAction(async (url: string, file?: string) => {
        const body = file ? await openInputFile(file) : process.stdin;
        const s = await openStore();
        print(await s.put(url, body));
      }),
    );
  store
    .command("ls")
    .description("list artefacts under a prefix")
    .argument("[prefix]", "s3://bucket/prefix (default: the configured bucket)")
    .action(
      runAction(async (prefix?: string) => {
        const s = await openStore();
        for (const o of await s.list(prefix ?? s.url("")))
          print(`${o.size}\t${o.lastModified.toISOString()}\t${o.url}`);
      }),
    );
  store
    .command("stat")
    .description("size, etag and sha256 of an artefact")
    .argument("<url>")
    .action(
      runAction(async (url: string) => {
        const s = await openStore();
        const info = await s.stat(url);
        if (!info) throw new InputError("no such artefact", { file: url });
        print({ url, ...info, sha256: await s.sha256(url) });
      }),
    );
  return store;
}

export function commands(): Command[] {
  return [dbCommand(), s3Command(), storeCommand()];
}
