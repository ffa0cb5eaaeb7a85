# workflows/: Argo templates (render/lint), the generated Argo Server client, and the local demo.
WORKFLOWS_DIR := chart/files/workflows
ARGO_CLIENT := workflows/generated/argo-api.ts
PBF ?= data/osm/luxembourg_filtered.osm.pbf
# A URL is fetched as is; a path is made absolute (steps run in their own sandbox folders).
DEMO_SOURCE = $(if $(findstring ://,$(PBF)),$(PBF),$(abspath $(PBF)))
DEMO_REGION ?= $(basename $(basename $(notdir $(PBF))))
# Empty: the extractor finds the country from the data; set it for extracts without a country boundary.
COUNTRY_CODE ?=

.PHONY: workflows-render workflows-lint workflows-client
# The typed Argo Server client: types generated from Argo's OpenAPI spec (git-ignored output).
init-generate:: $(ARGO_CLIENT)
$(ARGO_CLIENT): data/argo/swagger.json
	@mkdir -p $(dir $@)
	$(NPX) openapi-typescript data/argo/swagger.json --output $@
workflows-client: $(ARGO_CLIENT)

workflows-render:
	$(COSMO) workflows render --out $(WORKFLOWS_DIR)

workflows-lint:
	$(COSMO) workflows render --check --out $(WORKFLOWS_DIR)
	$(COSMO) workflows lint $(WORKFLOWS_DIR)

# The whole pipeline locally on one extract, then the explorer. A second run with the same input skips
# every stage (same sha256 → same extract key, merged key and dataset).
demo:
	@start=$$(date +%s); \
	$(COSMO) workflows run-local cosmo-update --dir $(WORKFLOWS_DIR) \
	  --param 'regions=[{"name":"$(DEMO_REGION)","url":"$(DEMO_SOURCE)","countryCode":"$(COUNTRY_CODE)"}]' --param max-zoom=6 || exit $$?; \
	echo "pipeline: $$(( $$(date +%s) - start ))s"
	$(COSMO) web
