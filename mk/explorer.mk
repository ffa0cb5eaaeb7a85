# explorer/: the web UI (Vite build into explorer/dist, git-ignored) served by nginx (`cosmo web`).
.PHONY: explorer-build web

# `make init` builds the app so `cosmo web` starts at once (it also rebuilds by itself when sources changed).
# The stamp file is what explorer/build.ts compares with the sources' times.
init-generate:: explorer-build

explorer-build:
	$(NPX) vite build -c explorer/vite.config.ts
	@date -u +%FT%TZ > explorer/dist/.build-stamp

web:
	$(COSMO) web
