#!/usr/bin/env bash
# CI: a Docker engine, the compose plugin and the local service images, installed and
# started when missing (Debian's docker.io; compose built from the Go module proxy, as
# this machine reaches no other download host). Prints the ROADMAP_IMAGE_* exports.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
say() { printf '%s\n' "$*" >&2; }

if ! command -v dockerd >/dev/null; then
  say "ensure-docker: installing docker.io"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io) >/dev/null 2>&1 || { say "ensure-docker: could not install docker.io"; exit 1; }
fi
if ! docker info >/dev/null 2>&1; then
  say "ensure-docker: starting dockerd"
  nohup dockerd >/var/log/roadmap-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { say "ensure-docker: dockerd did not start: $(tail -n 3 /var/log/roadmap-dockerd.log)"; exit 1; }
fi

plugins=/usr/local/lib/docker/cli-plugins
if ! docker compose version >/dev/null 2>&1; then
  version=v5.6.0
  say "ensure-docker: building docker compose $version from the Go module proxy (once per machine)"
  dir="$(go mod download -json "github.com/docker/compose/v5@$version" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')"
  mkdir -p "$plugins"
  (cd "$dir" && go build -trimpath -ldflags="-s -w -X github.com/docker/compose/v5/internal.Version=$version" -o "$plugins/docker-compose" ./cmd) >&2 \
    || { say "ensure-docker: could not build docker compose"; exit 1; }
fi

bash "$here/build-images.sh" || exit 1
bash "$here/build-images.sh" --env
