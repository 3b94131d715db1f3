#!/bin/bash
# rotate-logs.sh LOG_DIR [KEEP]: rotates the non-empty *.log files of LOG_DIR, keeping KEEP old copies.
set -euo pipefail

die_usage() {
  printf 'usage: %s LOG_DIR [KEEP]\n' "${0##*/}" >&2
  exit 64
}

(($# == 1 || $# == 2)) || die_usage
dir="$1"
keep="${2:-5}"
case "$keep" in
  '' | *[!0-9]* | 0*) die_usage ;;
esac
[ -d "$dir" ] || {
  printf 'rotate-logs: not a directory: %s\n' "$dir" >&2
  exit 66
}

# -print0 and read -d '': any file name survives, spaces and newlines included.
find "$dir" -mindepth 1 -maxdepth 1 -type f -name '*.log' -size +0 -print0 | sort -z |
  while IFS= read -r -d '' f; do
    rm -f -- "$f.$keep"
    i=$((keep - 1))
    while [ "$i" -ge 1 ]; do
      if [ -e "$f.$i" ]; then mv -f -- "$f.$i" "$f.$((i + 1))"; fi
      i=$((i - 1))
    done
    mv -- "$f" "$f.1"
    : >"$f"
    printf 'rotated %s\n' "${f##*/}"
  done
