#!/usr/bin/env bash
# Fills the git-ignored data/ with external reference data: from the shared folder when present,
# else from the public upstream repositories (needs internet).
set -euo pipefail
shared="${1:-../shared/data}"
cd "$(dirname "$0")/.."
mkdir -p data/osm data/libpostal/boundaries data/dashboard data/argo/crds

RAW=https://raw.githubusercontent.com
COSMOGONY="$RAW/osm-without-borders/cosmogony/master/tests/data"
LIBPOSTAL="$RAW/osm-without-borders/libpostal/af7dae5/resources/boundaries/osm"
DASHBOARD="$RAW/osm-without-borders/cosmogony-data-dashboard/master/reference_stats_values.csv"
ARGO="$RAW/argoproj/argo-workflows/v4.1.2"

fetch() { # url target
  [ -s "$2" ] && return 0
  echo "downloading $1"
  curl -fsSL --retry 3 -o "$2.tmp" "$1" && mv "$2.tmp" "$2"
}

if [ -d "$shared" ]; then
  echo "copying reference data from $shared"
  cp -u "$shared"/osm/*.osm.pbf data/osm/
  cp -u "$shared"/libpostal/boundaries/*.yaml data/libpostal/boundaries/
  cp -u "$shared"/libpostal/LICENSE data/libpostal/ 2>/dev/null || true
  cp -u "$shared"/dashboard/reference_stats_values.csv data/dashboard/
  cp -u "$shared"/argo/schema.json "$shared"/argo/swagger.json data/argo/
  cp -u "$shared"/argo/crds/*.yaml data/argo/crds/
else
  echo "no $shared: downloading from upstream"
  for f in luxembourg_filtered.osm.pbf gatineau.osm.pbf; do fetch "$COSMOGONY/$f" "data/osm/$f"; done
  # The rules folder has one file per country code; the list comes from the repository's tree API.
  curl -fsSL "https://api.github.com/repos/osm-without-borders/libpostal/contents/resources/boundaries/osm?ref=af7dae5" \
    | grep -o '"name": *"[a-z_]*\.yaml"' | sed 's/.*"\([a-z_]*\.yaml\)"/\1/' \
    | while read -r f; do fetch "$LIBPOSTAL/$f" "data/libpostal/boundaries/$f"; done
  fetch "$DASHBOARD" data/dashboard/reference_stats_values.csv
  fetch "$ARGO/api/jsonschema/schema.json" data/argo/schema.json
  fetch "$ARGO/api/openapi-spec/swagger.json" data/argo/swagger.json
  for k in workflowtemplates cronworkflows workflows; do
    fetch "$ARGO/manifests/base/crds/full/argoproj.io_$k.yaml" "data/argo/crds/argoproj.io_$k.yaml"
  done
fi
echo "data/: $(find data -type f | wc -l) files"
