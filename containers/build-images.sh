#!/usr/bin/env bash
# Builds local images of PostgreSQL, Redis, RabbitMQ and NATS from Debian's packages, for
# machines with a Docker engine but no image registry (this project's CI). They stand in
# for the official images: the same environment variables, commands, health checks and
# ready log lines that docker-compose.yml and Testcontainers' modules rely on.
#
#   containers/build-images.sh        # once per machine; later runs reuse the cache
#   eval "$(containers/build-images.sh --env)"   # ROADMAP_IMAGE_* pointing at them
#
# The root filesystem (debootstrap, 3-8 minutes) is cached in $ROADMAP_IMAGE_CACHE
# (default /var/cache/roadmap-images); the images are tagged roadmap-local/<service>:bookworm.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${ROADMAP_IMAGE_CACHE:-/var/cache/roadmap-images}"
# The mirror apt already uses (the only package host such a machine reaches).
mirror="${ROADMAP_DEBIAN_MIRROR:-$( (grep -shE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list || true) | grep -oE 'https?://[^ ]+/debian/?' | sed -n 1p)}"
mirror="${mirror:-http://deb.debian.org/debian}"
packages="postgresql-15,postgresql-client-15,redis-server,redis-tools,rabbitmq-server,nats-server,wget,procps,netcat-openbsd,ca-certificates,util-linux"

env_lines() {
  for s in postgres redis rabbitmq nats; do echo "export ROADMAP_IMAGE_${s^^}=roadmap-local/$s:bookworm"; done
}
if [ "${1:-}" = --env ]; then env_lines; exit 0; fi

docker info >/dev/null 2>&1 || { echo "build-images: no Docker engine answers (start dockerd)" >&2; exit 1; }
hash="$( (echo "$packages"; find "$here/rootfs" -type f -print0 | sort -z | xargs -0 sha1sum | sed "s#$here/##") | sha1sum | cut -c1-12)"
base="roadmap-local/base:$hash"

if ! docker image inspect "$base" >/dev/null 2>&1; then
  rootfs="$cache/rootfs-bookworm"
  if [ ! -f "$rootfs/.complete" ] || [ "$(cat "$rootfs/.complete")" != "$packages" ]; then
    command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; }
    echo "build-images: debootstrap bookworm from $mirror (3-8 minutes, once per machine)" >&2
    rm -rf "$rootfs"; mkdir -p "$cache"
    debootstrap --variant=minbase --include="$packages" bookworm "$rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1 \
      || { tail -n 20 "$cache/debootstrap.log" >&2; exit 1; }
    # Services in the image start from the entrypoints, not from init scripts.
    chroot "$rootfs" sh -c 'apt-get clean; rm -rf /var/lib/apt/lists/* /var/lib/postgresql/15/main /etc/postgresql/15/main'
    echo "$packages" > "$rootfs/.complete"
  fi
  cp -a "$here/rootfs/." "$rootfs/"
  echo "build-images: importing $base" >&2
  tar -C "$rootfs" --exclude=./proc --exclude=./sys --exclude=./dev -c . | docker import - "$base" >/dev/null
fi

tag() { # service, then docker commit --change instructions
  local name="roadmap-local/$1:bookworm"; shift
  local cid; cid="$(docker create "$base" true)"
  local changes=(--change "LABEL org.roadmap.base=$hash")
  for c in "$@"; do changes+=(--change "$c"); done
  docker commit "${changes[@]}" "$cid" "$name" >/dev/null
  docker rm "$cid" >/dev/null
}
current() { [ "$(docker image inspect -f '{{ index .Config.Labels "org.roadmap.base" }}' "roadmap-local/$1:bookworm" 2>/dev/null)" = "$hash" ]; }

current postgres || tag postgres 'ENV PGDATA=/var/lib/postgresql/data' 'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  'ENTRYPOINT ["/usr/local/bin/postgres-entrypoint"]' 'CMD ["postgres"]' 'EXPOSE 5432'
current redis || tag redis 'ENTRYPOINT ["/usr/local/bin/redis-entrypoint"]' 'CMD ["redis-server"]' 'EXPOSE 6379' 'WORKDIR /data'
current rabbitmq || tag rabbitmq 'ENV RABBITMQ_NODENAME=rabbit@localhost' 'ENTRYPOINT ["/usr/local/bin/rabbitmq-entrypoint"]' 'CMD []' 'EXPOSE 5672 15672'
current nats || tag nats 'ENTRYPOINT ["/usr/local/bin/nats-entrypoint"]' 'CMD ["-js"]' 'EXPOSE 4222 8222'
echo "build-images: roadmap-local/{postgres,redis,rabbitmq,nats}:bookworm ready" >&2
