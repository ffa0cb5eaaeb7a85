# syntax=docker/dockerfile:1
# cosmo-api: the JSON API (`cosmo api serve`, port 3000, /healthz and /readyz).
# Build: make build_api (or: docker build -f docker/api.Dockerfile -t cosmo-api .). Base pinned by tag;
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
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "/app/docker/healthcheck.mjs", "http://127.0.0.1:3000/healthz"]
CMD ["api", "serve", "--port", "3000"]
