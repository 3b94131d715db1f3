#!/usr/bin/env bash
# Rotates every non-empty *.log file of a directory:
#   app.log -> app.log.1 -> app.log.2 -> … -> app.log.KEEP, the oldest is dropped,
#   and a new empty app.log is left for the service to write to.
# Usage: rotate-logs.sh LOG_DIR [KEEP]        (KEEP defaults to 5)
# Exit codes: 0 done, 64 usage error, 66 LOG_DIR is not a directory;
# any failing command stops the script with its own non-zero code (set -e).
set -euo pipefail

readonly EX_USAGE=64 EX_NOINPUT=66

usage() {
  echo "usage: $(basename "$0") LOG_DIR [KEEP]" >&2
  exit "$EX_USAGE"
}

[[ $# -ge 1 && $# -le 2 ]] || usage
log_dir=$1
keep=${2:-5}
[[ $keep =~ ^[1-9][0-9]*$ ]] || usage

if [[ ! -d $log_dir ]]; then
  echo "rotate-logs: $log_dir is not a directory" >&2
  exit "$EX_NOINPUT"
fi

# Without nullglob an empty directory would give the literal pattern "*.log".
shopt -s nullglob
for log in "$log_dir"/*.log; do
  [[ -f $log && -s $log ]] || continue # regular, non-empty files only
  rm -f -- "$log.$keep"
  for ((i = keep - 1; i >= 1; i--)); do
    if [[ -e $log.$i ]]; then mv -- "$log.$i" "$log.$((i + 1))"; fi
  done
  mv --  .1
  : >"$log"
  echo "rotated $(basename -- "$log")"
done
