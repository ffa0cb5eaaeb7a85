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
set -euo pipefail
cd "$(dirname "$0")/../.."

GRID=${GRID:-12}
PEER_GRID=${PEER_GRID:-$GRID}
SRC=data/osm/luxembourg_filtered.osm.pbf
BIG=bench/out/lux-grid$GRID.osm.pbf
MID=bench/out/lux-grid$PEER_GRID.osm.pbf
OUT=bench/out/extract
TSX=(node --import tsx)
mkdir -p "$OUT"
rm -f "$OUT"/*.time "$OUT"/*.out "$OUT"/*.err "$OUT"/*.failed "$OUT"/covers-differ

if [ ! -x /usr/bin/time ]; then
  echo "installing GNU time (for peak RSS)"; SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get install -y -q time >/dev/null
fi
command -v osmium >/dev/null || { echo "osmium not found: run make init" >&2; exit 1; }

# Inputs are regenerated only when missing or older than the generator.
for pair in "$BIG:$GRID" "$MID:$PEER_GRID"; do
  file=${pair%%:*}; grid=${pair##*:}
  if [ ! -s "$file" ] || [ "$file" -ot bench/extract/make-big.ts ]; then
    echo "generating $file ($grid×$grid copies)…"
    "${TSX[@]}" bench/extract/make-big.ts "$SRC" "$file" "$grid"
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
rm -f bench/out/big.jsonl bench/out/big.jsonl.meta.json
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

"${TSX[@]}" bench/extract/report.ts "$OUT" "$BIG" "$MID"
