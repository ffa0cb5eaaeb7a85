# syntax=docker/dockerfile:1
# cosmo-importer: batch steps after extraction: store fetch, merge, import, publish/rollback, dashboard, diff and
# tile seeding. One image for all of them: they are the same CLI and the same dependencies; the workflow picks
# the command. Needs DATABASE_URL (PostGIS) and S3_*; no server, so no HEALTHCHECK.
# Build: make build_importer (or: docker build -f docker/importer.Dockerfile -t cosmo-importer .). Base pinned by tag;
# BASE is a build-arg so `make images-check` can build against a local stand-in of the same image.
ARG BASE=node:20.19-bookworm-slim

# Production dependencies only (esbuild among them: the CLI is compiled in the image, below).
# --ignore-scripts: no package needs an install script to run (esbuild ships its binary as an optional dependency).
FROM ${BASE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/.cache

FROM ${BASE}
ENV NODE_ENV=production \
    COSMO_LOG_JSON=1 \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
# Sources (see .dockerignore: no tests, no local state, no credentials) and the reference data the stages read
# (libpostal boundary rules, dashboard reference values: data.rulesDir / data.reference in the config).
COPY . .
# The compiled CLI (bin/build.mjs): `cosmo` runs JavaScript, no TypeScript compilation at start-up. Built after
# the sources are in place, so bin/cosmo.js finds it fresh (it would run tsx, saying so, were it not).
RUN node bin/build.mjs
# `cosmo` on PATH for exec/debugging; /step is the workflows' scratch folder (workflows/templates/common.ts WORK;
# an emptyDir on Kubernetes, this writable folder where a step runs without one).
RUN ln -s /app/bin/cosmo.js /usr/local/bin/cosmo && mkdir -p /step && chown node:node /step

USER node
ENTRYPOINT ["node", "/app/bin/cosmo.js"]
CMD ["--help"]
