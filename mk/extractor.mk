# Extractor targets (issue 3). `make bench` runs every stage's benchmark; this one can run alone.
.PHONY: bench-extract
bench:: bench-extract

# GRID=12 (default) replicates Luxembourg's boundaries 12×12 times (~107 MB); GRID=8 for a quicker run.
# Issue 17 rows: BUDGET (1GiB), CURVE_GRIDS ("1 4 8 12 24": peak RSS under the budget), SMALL_GRID/LARGE_GRID (4/24),
# REAL_GRID/FILLER (4/20: the realistic file against osmium cat). A tiny run to try it end to end:
#   GRID=1 PEER_GRID=1 SMALL_GRID=1 LARGE_GRID=2 REAL_GRID=1 FILLER=3 CURVE_GRIDS="1 2" make bench-extract
bench-extract:
	bash bench/extract/run.sh
