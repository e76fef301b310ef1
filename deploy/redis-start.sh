#!/bin/sh
# Starts redis-server with its append-only file repaired at a transaction boundary.
#
# Why: after a kill that cut the file in the middle of a MULTI/EXEC block (every MusterBot commit is one), Redis 7.0's
# own loader (aof-load-truncated yes, the default) truncates the file after the last whole command, *inside* the block,
# and appends new writes after it; a later load then applies half of that commit (docs/architecture.md, "Found
# 2026-12-05"). redis-check-aof --fix truncates before the block's MULTI instead. So: repair with it when the file ends
# in a cut write, and start with aof-load-truncated no, so that Redis never truncates on its own.
#
# Only a file that ends early is repaired (the cases aof-load-truncated covers). Damage inside the file stops the
# start, as it would without this script: look at it with redis-check-aof before you cut anything.
#
# Usage: redis-start.sh [redis-server arguments...]; the data directory is $REDIS_DATA_DIR (default /data, the
# official image's). Used by the compose files and by the test suite's persistent Redis.
set -eu
dir="${REDIS_DATA_DIR:-/data}"
manifest="$dir/appendonlydir/appendonly.aof.manifest"
if [ -f "$manifest" ]; then
  if ! report=$(redis-check-aof "$manifest" 2>&1); then
    if printf '%s\n' "$report" | grep -Eq 'Expected to read [0-9]+ bytes, got [0-9]+ bytes|Reached EOF before reading EXEC for MULTI'; then
      echo "redis-start: the append-only file ends in a cut write; truncating it before the cut transaction" >&2
      printf '%s\n' "$report" | grep -E 'AOF analyzed' | tail -n 1 >&2
      echo y | redis-check-aof --fix "$manifest" >&2
    else
      echo "redis-start: the append-only file is damaged inside, not only cut at its end; not starting. redis-check-aof says:" >&2
      printf '%s\n' "$report" >&2
      exit 1
    fi
  fi
fi
exec redis-server "$@" --aof-load-truncated no
