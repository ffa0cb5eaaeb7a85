# explorer/: the web UI (Vite build into explorer/dist, git-ignored) served by nginx (`cosmo web`).
.PHONY: explorer-build web

# The labels' font (explorer/glyphs/generate.ts).
APT_PACKAGES += fonts-dejavu-core

# `make init` builds the app so `cosmo web` starts at once (it also rebuilds by itself when sources changed).
# The stamp file is what explorer/build.ts compares with the sources' times.
init-generate:: explorer-build

# vite, then the map's glyphs (explorer/glyphs/, from the Debian font above) and the stamp: explorer/build.ts.
explorer-build:
	$(NPX) tsx -e 'import("./explorer/build.ts").then((m) => m.buildExplorer({ force: true }))'

web:
	$(COSMO) web

# The explorer's smoothness with all of Luxembourg and its names in view (issue 19; docs/benchmarks.md).
.PHONY: bench-explorer
bench:: bench-explorer

## bench-explorer: BENCH_EXPLORER_SECONDS per case (5)
bench-explorer:
	$(NPX) tsx bench/explorer/run.ts
