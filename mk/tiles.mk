# Static releases (issue 19): `cosmo tiles export` against `cosmo extract` of the same grid, the archive's size and
# deduplication, tiles by range requests against plain files through nginx (docs/benchmarks.md, docs/tiles.md).
.PHONY: bench-export
bench:: bench-export

## bench-export: BENCH_EXPORT_GRID (12), BENCH_EXPORT_MAX_ZOOM (12), BENCH_SECONDS per round and side (10)
bench-export:
	$(NPX) tsx bench/export/run.ts
