// The benchmark's peer: one pass over a zones file with core's streaming reader, nothing else.
import { readZones } from "../../core/cosmogony/reader.ts";

const file = process.argv[2]!;
let n = 0;
for await (const _ of readZones(file, { name: file })) n++;
process.stdout.write(`${n} zones\n`);
