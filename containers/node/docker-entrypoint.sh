#!/bin/sh
# As the official node image's: a first argument that is a flag or not a command is
# an argument to node (CMD ["dist/server.js"] runs node dist/server.js).
set -e
if [ "${1#-}" != "$1" ] || ! command -v -- "$1" >/dev/null 2>&1; then
  set -- node "$@"
fi
exec "$@"
