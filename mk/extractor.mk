# Extractor targets (issue 3). `make bench` runs every stage's benchmark; this one can run alone.
.PHONY: bench-extract
bench:: bench-extract

# GRID=12 (default) replicates Luxembourg's boundaries 12×12 times (~107 MB); GRID=8 for a quicker run.
bench-extract:
	bash bench/extract/run.sh
