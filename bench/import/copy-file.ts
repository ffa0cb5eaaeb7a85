// The raw-COPY peer's input: a zones file's rows pre-encoded by the importer's own binary COPY encoder, so psql's
// `\copy … FORMAT binary` measures the database's ingest alone (bench-import-load, bench-import-whole).
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { readZones } from "../../core/cosmogony/reader.ts";
import { BinaryCopyEncoder } from "../../importer/copy-binary.ts";

export async function writeBinaryCopyFile(zonesFile: string, copyFile: string): Promise<void> {
  const enc = new BinaryCopyEncoder();
  const w = createWriteStream(copyFile);
  for await (const z of readZones(zonesFile)) {
    enc.addZone(z);
    const chunk = enc.take();
    if (chunk && !w.write(chunk)) await once(w, "drain");
  }
  w.end(enc.finish());
  await once(w, "close");
}
