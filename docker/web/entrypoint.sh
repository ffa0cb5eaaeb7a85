#!/bin/sh
# Web image entrypoint: fills the nginx templates rendered at build time (docker/web/render-nginx.ts) with this
# deployment's addresses, then runs the given command (nginx). Everything written goes to /tmp/nginx so the
# root filesystem can stay read-only.
#   COSMO_API_UPSTREAM    host:port of the API Service     (default 127.0.0.1:3000)
#   COSMO_TILES_UPSTREAM  host:port of the tiles Service   (default 127.0.0.1:3001)
#   COSMO_WEB_PORT        listen port                      (default 8080)
#   COSMO_DATA_UPSTREAM   http URL ending in / that /data/ proxies to (dashboard, diff reports); empty = local folder
#   COSMO_CSP_HOSTS       extra CSP origins, space-separated (basemap style/tiles/glyph hosts)
#   /etc/cosmo-web/config.json  explorer settings (basemapStyle, apiBase…), optional (mounted from a ConfigMap)
set -eu
: "${COSMO_API_UPSTREAM:=127.0.0.1:3000}" "${COSMO_TILES_UPSTREAM:=127.0.0.1:3001}" "${COSMO_WEB_PORT:=8080}"
: "${COSMO_DATA_UPSTREAM:=}" "${COSMO_CSP_HOSTS:=}"
export COSMO_API_UPSTREAM COSMO_TILES_UPSTREAM COSMO_WEB_PORT COSMO_DATA_UPSTREAM COSMO_CSP_HOSTS
# Both folders are fixed in the image; overridable for the tests, which render with other paths.
src=${COSMO_WEB_CONF_DIR:-/etc/cosmo-web}
run=${COSMO_WEB_RUN_DIR:-/tmp/nginx}
vars='${COSMO_API_UPSTREAM} ${COSMO_TILES_UPSTREAM} ${COSMO_WEB_PORT} ${COSMO_DATA_UPSTREAM} ${COSMO_CSP_HOSTS}'
mkdir -p "$run/logs" "$run/tmp" "$run/data"
# Access log to the container log. A non-root process can reopen /dev/stdout only if the runtime's pipe lets it
# (Kubernetes/Docker do; `buildah run` does not): otherwise keep a file and say so rather than fail to start.
rm -f "$run/logs/access.log"
if (: >>/dev/stdout) 2>/dev/null; then
  ln -s /dev/stdout "$run/logs/access.log"
else
  echo "warning: /dev/stdout cannot be reopened by uid $(id -u): access log kept in $run/logs/access.log" >&2
fi
envsubst "$vars" <"$src/nginx.conf.template" >"$run/nginx.conf"
envsubst "$vars" <"$src/security-headers.conf.template" >"$run/security-headers.conf"
cp "$src/proxy.conf" "$src/mime.types" "$run/"
if [ -n "$COSMO_DATA_UPSTREAM" ]; then
  case $COSMO_DATA_UPSTREAM in http://*/ | https://*/) ;; *) echo "error: COSMO_DATA_UPSTREAM must be an http(s) URL ending in /: $COSMO_DATA_UPSTREAM" >&2; exit 4 ;; esac
  envsubst "$vars" <"$src/data-location-proxy.conf.template" >"$run/data-location.conf"
else
  cp "$src/data-location-local.conf" "$run/data-location.conf"
fi
if [ -f "$src/config/config.json" ]; then cp "$src/config/config.json" "$run/config.json"; else echo '{}' >"$run/config.json"; fi
if [ "${1:-}" = nginx ]; then
  shift
  exec nginx -e stderr -p "$run" -c "$run/nginx.conf" "$@"
fi
exec "$@"
