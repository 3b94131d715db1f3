#!/usr/bin/env bash
# TODO: rotate the *.log files of a directory (see README.md).
# Usage: rotate-logs.sh LOG_DIR [KEEP]
echo "rotate-logs.sh: not written yet" >&2
exit 1
