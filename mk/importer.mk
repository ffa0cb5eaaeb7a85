# Import stage: benchmarks (issue 2). `make bench` runs them with every other stage's.
.PHONY: bench-import bench-import-ewkb bench-import-json bench-import-load bench-import-whole bench-import-generate
IMPORT_BENCH_VERTICES ?= 10500000

bench:: bench-import

bench-import: bench-import-ewkb bench-import-json bench-import-load bench-import-whole

# EWKB encoder vs wkx vs GeoJSON (Node-side encoding, then into PostGIS)
bench-import-ewkb:
	node --import tsx bench/import/ewkb.bench.ts --vertices 3000000

# the .json form's streaming scanner vs stream-json
bench-import-json:
	node --import tsx bench/import/json-reader.bench.ts --vertices 1000000

# cosmo import load vs raw psql COPY vs ogr2ogr on >= 10 M vertices (input generated once into bench/out/)
bench-import-load:
	COSMO_LOG_LEVEL=$${COSMO_LOG_LEVEL:-warn} node --import tsx bench/import/load.bench.ts --vertices $(IMPORT_BENCH_VERTICES)

# the whole `cosmo import` command on extractor output (GRID 8 grid) vs raw binary COPY + PK + GiST of the same rows;
# also the command up to its "core import done" line (the query structures are built after it, reported apart)
bench-import-whole:
	node --import tsx bench/import/whole.bench.ts --grid $${GRID:-8}

# just the generated input, e.g. to try `cosmo import bench/out/zones-10500000.jsonl` by hand
bench-import-generate:
	mkdir -p bench/out && node --import tsx bench/import/generate.ts bench/out/zones-$(IMPORT_BENCH_VERTICES).jsonl --vertices $(IMPORT_BENCH_VERTICES) --geojsonseq bench/out/zones-$(IMPORT_BENCH_VERTICES).geojsonl
