#!/usr/bin/env bash
# Extract benchmark (issue 3): builds a large input from Luxembourg's boundaries (make-big.ts), then
# measures wall time, CPU time and peak RSS (/usr/bin/time -v) of
#   - osmium cat → OPL                       (the decode floor the extract time is compared with)
#   - osmium tags-filter + export → GeoJSON  (the peer for building boundaries; its GeoJSON defines the
#                                             "boundary data size" the extract's memory is compared with)
#   - our readPbf: every element, and the extractor's three boundary passes
#   - `cosmo extract` on the big file         (the stage itself, when it is available)
# plus a decode-speed comparison with npm PBF readers and the protobuf micro-benchmark, then prints a table
# (bench/extract/report.ts). Environment: GRID (default 12 → 144 copies, ~93 MB), PEER_GRID (default: GRID;
# a smaller grid makes the peer comparison quicker but then node/tsx start-up weighs on it).
# Issue 17 rows: the extract under --memory-budget BUDGET (default 1GiB) on GRID (peak RSS, time against the
# unbudgeted run, identical output) and on SMALL_GRID / LARGE_GRID (default 4 / 24: peak RSS flat), and the
# extract on a realistic file — REAL_GRID copies (default 4) with FILLER times their boundary nodes in buildings,
# roads and POIs (default 20: boundaries ~5 % of the file) — against osmium cat of the same file, with the share
# of the file's blocks the extractor inflated.
set -euo pipefail
cd "$(dirname "$0")/../.."

GRID=${GRID:-12}
PEER_GRID=${PEER_GRID:-$GRID}
BUDGET=${BUDGET:-1GiB}
SMALL_GRID=${SMALL_GRID:-4}
LARGE_GRID=${LARGE_GRID:-24}
REAL_GRID=${REAL_GRID:-4}
# the issue's curve: peak RSS under the budget at each of these grid sizes (GRID 24: ~190 M vertices)
CURVE_GRIDS=${CURVE_GRIDS:-1 4 8 12 24}
FILLER=${FILLER:-20}
REAL=bench/out/lux-grid$REAL_GRID-filler$FILLER.osm.pbf
SRC=data/osm/luxembourg_filtered.osm.pbf
BIG=bench/out/lux-grid$GRID.osm.pbf
MID=bench/out/lux-grid$PEER_GRID.osm.pbf
OUT=bench/out/extract
TSX=(node --import tsx)
mkdir -p "$OUT"
rm -f "$OUT"/*.time "$OUT"/*.out "$OUT"/*.err "$OUT"/*.failed "$OUT"/covers-differ "$OUT"/budget-* "$OUT"/*.summary.json

if [ ! -x /usr/bin/time ]; then
  echo "installing GNU time (for peak RSS)"; SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get install -y -q time >/dev/null
fi
command -v osmium >/dev/null || { echo "osmium not found: run make init" >&2; exit 1; }

# Inputs are regenerated only when missing or older than the generator.
for spec in "$BIG:$GRID:0" "$MID:$PEER_GRID:0" "bench/out/lux-grid$SMALL_GRID.osm.pbf:$SMALL_GRID:0" \
  "bench/out/lux-grid$LARGE_GRID.osm.pbf:$LARGE_GRID:0" "$REAL:$REAL_GRID:$FILLER" \
  $(for g in $CURVE_GRIDS; do echo "bench/out/lux-grid$g.osm.pbf:$g:0"; done); do
  IFS=: read -r file grid filler <<<"$spec"
  if [ ! -s "$file" ] || [ "$file" -ot bench/extract/make-big.ts ] || [ "$file" -ot bench/extract/filler.ts ]; then
    echo "generating $file ($grid×$grid copies, filler ×$filler)…"
    "${TSX[@]}" bench/extract/make-big.ts "$SRC" "$file" "$grid" "$filler"
  fi
done

# measure NAME CMD…: runs CMD under /usr/bin/time -v; a failure is recorded, not fatal (the table says so).
measure() {
  local name=$1; shift
  echo "  $name: $*"
  if ! /usr/bin/time -v -o "$OUT/$name.time" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"; then
    echo "    failed (see $OUT/$name.err)"; tail -n 3 "$OUT/$name.err" | sed 's/^/    /'; touch "$OUT/$name.failed"
  fi
}

echo "extract benchmark on $BIG ($(du -h "$BIG" | cut -f1))"
measure osmium-tags-filter osmium tags-filter "$BIG" r/boundary=administrative -o "$OUT/boundaries.osm.pbf" --overwrite
measure osmium-cat osmium cat "$BIG" -f opl -o /dev/null --overwrite
measure osmium-export osmium export "$OUT/boundaries.osm.pbf" -o "$OUT/boundaries.geojson" --overwrite
measure decode-all "${TSX[@]}" bench/extract/decode.ts "$BIG" ours
measure decode-boundaries "${TSX[@]}" bench/extract/decode.ts "$BIG" ours-boundaries
measure extract node bin/cosmo.js extract -i "$BIG" -o bench/out/big.jsonl.gz --country-code lu
# the same extract to uncompressed .jsonl: osmium cat's OPL is uncompressed too, so this is the like-for-like row
measure extract-jsonl node bin/cosmo.js extract -i "$BIG" -o bench/out/big.jsonl --country-code lu
# the same under the memory budget: peak RSS, time against the row above, and the very same bytes
measure extract-budget node bin/cosmo.js extract -i "$BIG" -o bench/out/big-budget.jsonl --country-code lu --memory-budget "$BUDGET"
if [ -s bench/out/big.jsonl ] && [ -s bench/out/big-budget.jsonl ]; then
  if cmp -s bench/out/big.jsonl bench/out/big-budget.jsonl; then
    echo "  --memory-budget $BUDGET output identical to the unbudgeted output" | tee "$OUT/budget-identical"
  else
    echo "  WARNING: --memory-budget $BUDGET output differs from the unbudgeted output" | tee "$OUT/budget-differs"
  fi
fi
rm -f bench/out/big.jsonl bench/out/big.jsonl.meta.json bench/out/big-budget.jsonl bench/out/big-budget.jsonl.meta.json
# peak RSS under the budget on a small and a large grid: flat if memory holds to the budget at any input size
for size in small:$SMALL_GRID large:$LARGE_GRID; do
  measure "extract-budget-${size%%:*}" node bin/cosmo.js extract -i "bench/out/lux-grid${size##*:}.osm.pbf" \
    -o "bench/out/budget-${size%%:*}.jsonl" --country-code lu --memory-budget "$BUDGET"
  rm -f "bench/out/budget-${size%%:*}.jsonl" "bench/out/budget-${size%%:*}.jsonl.meta.json"
done
for g in $CURVE_GRIDS; do
  measure "extract-budget-curve-$g" node bin/cosmo.js extract -i "bench/out/lux-grid$g.osm.pbf" \
    -o "bench/out/budget-curve.jsonl" --country-code lu --memory-budget "$BUDGET"
  rm -f bench/out/budget-curve.jsonl bench/out/budget-curve.jsonl.meta.json
done
# a realistic file (boundaries a small part of it): the extract against osmium cat of the same file
measure osmium-cat-real osmium cat "$REAL" -f opl -o /dev/null --overwrite
measure extract-real node bin/cosmo.js extract -i "$REAL" -o bench/out/real.jsonl --country-code lu \
  --summary-json "$OUT/extract-real.summary.json"
rm -f bench/out/real.jsonl bench/out/real.jsonl.meta.json
# the same with every covers test decided by GEOS in PostGIS (as upstream): what the exact tests save
measure extract-geos node bin/cosmo.js extract -i "$BIG" -o bench/out/big-geos.jsonl.gz --country-code lu --covers geos
if [ -s bench/out/big-geos.jsonl.gz ] && [ -s bench/out/big.jsonl.gz ]; then
  if cmp -s <(zcat bench/out/big.jsonl.gz) <(zcat bench/out/big-geos.jsonl.gz); then
    echo "  --covers geos output identical to the default (exact) output"
  else
    echo "  WARNING: --covers geos output differs from the default (exact) output" | tee "$OUT/covers-differ"
  fi
fi
rm -f bench/out/big-geos.jsonl.gz bench/out/big-geos.jsonl.gz.meta.json

echo "decode speed against npm PBF readers on $MID ($(du -h "$MID" | cut -f1))"
if [ "$MID" != "$BIG" ]; then measure peer-osmium-cat osmium cat "$MID" -f opl -o /dev/null --overwrite; fi
if [ "$MID" != "$BIG" ]; then measure peer-ours "${TSX[@]}" bench/extract/decode.ts "$MID" ours; fi
measure peer-ours-1thread "${TSX[@]}" bench/extract/decode.ts "$MID" ours 0
for peer in osm-pbf-parser osm-pbf-parser-node; do
  if [ -d "node_modules/$peer" ]; then measure "peer-$peer" "${TSX[@]}" bench/extract/decode.ts "$MID" "$peer"; fi
done

echo "protobuf reader micro-benchmark"
"${TSX[@]}" bench/extract/proto-microbench.ts "$MID" 3 | tee "$OUT/microbench.out"

BUDGET="$BUDGET" CURVE_GRIDS="$CURVE_GRIDS" SMALL_GRID="$SMALL_GRID" LARGE_GRID="$LARGE_GRID" REAL="$REAL" \
  "${TSX[@]}" bench/extract/report.ts "$OUT" "$BIG" "$MID"
