// Prints the URL of a fresh benchmark database for the dashboard benchmark (recreated on each call).
import { benchDatabase } from "../import/bench-db.ts";

const db = await benchDatabase("cosmo_bench_dashboard");
process.stdout.write(`${db.url}\n`);
await db.close();
