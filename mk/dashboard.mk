# Dashboard stage: dashboard data, change reports (diff) and the publish gate. See docs/dashboard.md.
DASHBOARD_BENCH_INPUT ?= bench/out/zones-10500000.jsonl

.PHONY: dashboard-test dashboard-schemas bench-dashboard dashboard-demo

dashboard-test:
	$(NPX) vitest run dashboard

# Rewrite dashboard/schema/*.schema.json from the zod schemas (a test fails when they are stale).
dashboard-schemas:
	node --import tsx dashboard/json-schema.ts

# Dashboard (file and dataset mode) and diff runtime + peak RSS on the import benchmark's 10 M-vertex file
# and a perturbed copy; the file is generated with bench/import/generate.ts when missing.
bench-dashboard:
	node --import tsx bench/dashboard/run.ts $(DASHBOARD_BENCH_INPUT)

bench:: bench-dashboard

# Dashboard of the served dataset, copied into the public directory nginx serves as /data/ (config data.publicDir).
dashboard-demo:
	$(COSMO) dashboard --dataset served -o .data/dashboard/latest.json --publish-dir
