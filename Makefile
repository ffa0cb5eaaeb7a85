# The entry to every task. Stage-specific targets live in mk/<stage>.mk.
SHELL := /bin/bash
.DEFAULT_GOAL := help
NPX := npx --no-install
COSMO := node bin/cosmo.js
SHARED ?= ../shared/data
APT_PACKAGES := postgresql-15 postgresql-15-postgis-3 nginx chromium osmium-tool gdal-bin unzip

.PHONY: help init init-apt init-npm init-data init-generate compile test lint demo bench clean
help:
	@echo "make init    install apt packages, npm ci, build the CLI, fill data/ (reference data)"
	@echo "make compile compile the CLI to JavaScript in dist/ (bin/cosmo.js also rebuilds it when a source changed)"
	@echo "make demo    run the whole pipeline locally on the Luxembourg extract and serve the explorer"
	@echo "make test    run the test suite (real PostGIS, S3 server, nginx, Chromium)"
	@echo "make bench   run benchmarks against peers measured in the same run"
	@echo "make lint    biome + tsc"

init: init-apt init-npm compile init-data init-generate

init-generate::
	@true

init-apt:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; \
	else echo "apt packages present"; fi

init-npm:
	npm ci --no-audit --no-fund

# The compiled CLI (bin/build.mjs): what `cosmo` runs, so it starts without compiling TypeScript. (`make build`
# builds the images: mk/deploy.mk.)
compile:
	node bin/build.mjs

init-data:
	bash scripts/init-data.sh "$(SHARED)"

test:
	$(NPX) vitest run

lint:
	$(NPX) biome check . && $(NPX) tsc --noEmit -p .

bench::
	@true

clean:
	rm -rf .data tmp test-results bench/out dist

-include mk/*.mk
