# Serving (tiles/ and api/): benchmarks against peers measured in the same run (see docs/tiles.md, docs/api.md).
.PHONY: bench-serve serve-tiles serve-api

bench:: bench-serve

## bench-serve: uncached tiles vs pgbench SQL ceiling, z0-z4 latency, cached tiles vs nginx, API at 100 clients, overload, 1000 connections through nginx (BENCH_PHASES=… to pick)
bench-serve:
	$(NPX) tsx bench/serve/run.ts

serve-tiles:
	$(COSMO) tiles serve

serve-api:
	$(COSMO) api serve
