# Query paths at scale (issue 16): point lookup, zone lookup, search, bulk locate, without the response cache, on
# the 12×12 grid plus a 2 M-vertex fractal country and on Luxembourg (docs/benchmarks.md).
.PHONY: bench-query
bench:: bench-query

## bench-query: BENCH_SECONDS per case (10), BENCH_QUERY_DATASETS=lux,grid, BENCH_QUERY_GRID (12), BENCH_QUERY_FRACTAL_DEPTH (18), BENCH_QUERY_LOCATE_POINTS (1000000)
bench-query:
	$(NPX) tsx bench/query/run.ts
