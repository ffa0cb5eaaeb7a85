#!/usr/bin/env bash
# `make images-check`: builds every Dockerfile in docker/ with buildah against local stand-in bases (registries
# are unreachable here; see docker/standin/build-bases.sh) and smoke-runs each image:
#   - the entrypoint answers `--help` (the stage's own subcommand too), as the image's USER, which is not root,
#     from the CLI compiled in the image (no rebuild, no tsx);
#   - web: `nginx -t` on the shipped config, then nginx really serves the explorer and answers /healthz;
#   - the workflows' scratch folder /step is writable by that user;
#   - image config: a HEALTHCHECK on the servers, no credential-looking env, no .git/node_modules leftovers.
# Prints one line per image with build time and size; exits non-zero on the first failure.
# Usage: images-check.sh [extractor importer api tiles web]   (KEEP_IMAGES=1 keeps localhost/cosmo-check/*)
set -euo pipefail
cd "$(dirname "$0")/.."
export STORAGE_DRIVER=${STORAGE_DRIVER:-vfs} BUILDAH_ISOLATION=${BUILDAH_ISOLATION:-chroot}
BUILDAH="buildah --storage-driver $STORAGE_DRIVER"
PREFIX=${STANDIN_PREFIX:-localhost/cosmo-standin}
CHECK=localhost/cosmo-check
# No layer cache by default: with vfs every cached step is a full copy of the tree, which costs more than it
# saves while the sources keep changing (LAYERS=--layers to turn it on).
LAYERS=${LAYERS:-}
images=("$@")
[ ${#images[@]} -gt 0 ] || images=(extractor importer api tiles web)

fail() { echo "images-check: $*" >&2; exit 1; }
command -v buildah >/dev/null || fail "buildah not found (apt-get install buildah)"

t0=$(date +%s)
BUILDAH="$BUILDAH" STANDIN_PREFIX="$PREFIX" bash docker/standin/build-bases.sh
echo "stand-in bases ready in $(($(date +%s) - t0)) s"

containers=()
cleanup() { for c in "${containers[@]}"; do $BUILDAH rm "$c" >/dev/null 2>&1 || true; done; }
trap cleanup EXIT

# One working container per image (with vfs every `buildah from` copies the whole image, so it is made once);
# run_in runs a command in it as the image's user.
ctr=
run_in() { # user cmd…
  local user=$1; shift
  $BUILDAH run --user "$user" "$ctr" -- "$@"
}

for name in "${images[@]}"; do
  file=docker/$name.Dockerfile
  [ -f "$file" ] || fail "$file not found"
  image=$CHECK/cosmo-$name:check
  args=(--build-arg "BASE=$PREFIX/node:20-bookworm-slim")
  [ "$name" = web ] && args=(--build-arg "NODE_BASE=$PREFIX/node:20-bookworm-slim" --build-arg "BASE=$PREFIX/nginx:bookworm")
  start=$(date +%s)
  $BUILDAH bud --quiet --pull-never --format docker $LAYERS "${args[@]}" -f "$file" -t "$image" . >/dev/null \
    || fail "$name: build failed ($BUILDAH bud -f $file)"
  built=$(($(date +%s) - start))

  user=$($BUILDAH inspect --type image --format '{{.OCIv1.Config.User}}' "$image")
  [ -n "$user" ] && [ "$user" != root ] && [ "$user" != 0 ] || fail "$name: image runs as root (USER '$user')"
  env=$($BUILDAH inspect --type image --format '{{range .OCIv1.Config.Env}}{{println .}}{{end}}' "$image")
  if grep -Eiq '^[A-Z_]*(PASSWORD|SECRET|TOKEN|ACCESS_KEY)[A-Z_]*=.+' <<<"$env"; then fail "$name: credential-looking env baked in: $env"; fi
  health=$($BUILDAH inspect --type image --format '{{with .Docker.Config.Healthcheck}}{{.Test}}{{end}}' "$image")
  ctr=$($BUILDAH from --pull-never "$image"); containers+=("$ctr")

  case $name in
    web)
      [ -n "$health" ] || fail "$name: no HEALTHCHECK"
      run_in "$user" /docker-entrypoint-cosmo.sh nginx -t -q || fail "$name: nginx -t failed"
      run_in "$user" sh -c 'test -s /usr/share/cosmo/www/index.html' || fail "$name: explorer index.html missing"
      # Serve for real on a spare port (chroot isolation shares the host network) and fetch the page.
      port=$(node -e 's=require("net").createServer().listen(0,()=>{console.log(s.address().port);s.close()})')
      $BUILDAH run --user "$user" --env "COSMO_WEB_PORT=$port" "$ctr" -- /docker-entrypoint-cosmo.sh nginx \
        >"${TMPDIR:-/tmp}/cosmo-web-check.log" 2>&1 &
      pid=$!
      ok=
      for _ in $(seq 1 50); do
        if curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && curl -fs "http://127.0.0.1:$port/" 2>/dev/null | grep -qi "<html"; then ok=1; break; fi
        sleep 0.2
      done
      kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
      # nginx left running inside the chroot is a child of buildah run's process; stop it by its pid file.
      pkill_file=$($BUILDAH mount "$ctr" 2>/dev/null)/tmp/nginx.pid
      [ -s "$pkill_file" ] && kill "$(cat "$pkill_file")" 2>/dev/null || true
      [ -n "$ok" ] || { cat "${TMPDIR:-/tmp}/cosmo-web-check.log" >&2; fail "$name: nginx did not serve the explorer on :$port"; }
      ;;
    *)
      out=$(run_in "$user" node /app/bin/cosmo.js --help 2>&1) || fail "$name: cosmo --help failed: $out"
      grep -q "Usage: cosmo" <<<"$out" || fail "$name: unexpected --help output: $out"
      # The image runs the CLI it compiled at build time (bin/build.mjs): bin/cosmo.js says so when it would not.
      if grep -q "^cosmo: " <<<"$out"; then fail "$name: does not run its compiled CLI: $(grep "^cosmo: " <<<"$out")"; fi
      uid=$(run_in "$user" id -u); [ "$uid" != 0 ] || fail "$name: runs as uid 0"
      case $name in
        api | tiles)
          [ -n "$health" ] || fail "$name: no HEALTHCHECK"
          run_in "$user" node /app/bin/cosmo.js "$name" serve --help >/dev/null || fail "$name: cosmo $name serve --help failed" ;;
        extractor) run_in "$user" node /app/bin/cosmo.js extract --help >/dev/null || fail "$name: cosmo extract --help failed" ;;
        importer) run_in "$user" node /app/bin/cosmo.js import --help >/dev/null || fail "$name: cosmo import --help failed" ;;
      esac
      # Workflow steps write under /step (workflows/templates/common.ts WORK): writable by the image's user even
      # where no volume is mounted there.
      run_in "$user" sh -c 'touch /step/.write-check && rm /step/.write-check' \
        || fail "$name: /step (the steps' scratch folder) is not writable by $user"
      run_in "$user" sh -c 'test ! -e /app/.git && test ! -e /app/.data && test -d /app/data/libpostal/boundaries' \
        || fail "$name: unexpected or missing files in /app"
      ;;
  esac
  $BUILDAH rm "$ctr" >/dev/null
  size=$($BUILDAH images --format '{{.Size}}' "$image" 2>/dev/null | head -1)
  printf 'images-check: %-9s ok  build %4s s  size %s  user %s%s\n' "$name" "$built" "$size" "$user" "${health:+  healthcheck}"
done
echo "images-check: all ${#images[@]} images ok in $(($(date +%s) - t0)) s"
# vfs keeps a full copy per image (≈ 400 MB each): drop the checked images unless asked to keep them.
if [ -z "${KEEP_IMAGES:-}" ]; then
  for name in "${images[@]}"; do $BUILDAH rmi "$CHECK/cosmo-$name:check" >/dev/null 2>&1 || true; done
  $BUILDAH rmi --prune >/dev/null 2>&1 || true
fi
