# syntax=docker/dockerfile:1
# cosmo-web: nginx serving the built explorer and proxying /api/ and /tiles/ to the API and tiles Services
# (port 8080, /healthz). The nginx config is the explorer's own (explorer/nginx/*.template), rendered in the
# build stage into envsubst templates that docker/web/entrypoint.sh fills at start.
# Build: make build_web (or: docker build -f docker/web.Dockerfile -t cosmo-web .). Bases pinned by tag.
ARG NODE_BASE=node:20.19-bookworm-slim
ARG BASE=nginx:1.28-bookworm

# Build stage: all dependencies (vite is a dev dependency), then the app (vite + the map's glyph PBFs, made from
# Debian's DejaVu Sans: explorer/build.ts) and the nginx templates.
FROM ${NODE_BASE} AS build
RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN node_modules/.bin/tsx -e 'import("./explorer/build.ts").then((m) => m.buildExplorer({ force: true }))' \
 && node_modules/.bin/tsx docker/web/render-nginx.ts /out/conf \
 && cp explorer/nginx/mime.types /out/conf/

FROM ${BASE}
COPY --from=build /src/explorer/dist /usr/share/cosmo/www
COPY --from=build /out/conf /etc/cosmo-web
COPY docker/web/entrypoint.sh /docker-entrypoint-cosmo.sh
# The official image's nginx user (101); nothing here needs root, and /tmp/nginx holds all it writes.
USER 101:101
ENV COSMO_WEB_PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=5s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${COSMO_WEB_PORT} && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["/docker-entrypoint-cosmo.sh"]
CMD ["nginx"]
