#!/usr/bin/env bash
# Produces tests/MusterBot.Tests/Migration/snapshot-311e355.json: a Redis store written by the single-community
# release (commit 311e355). It checks that commit out into a temporary git worktree, adds Snapshot311Producer.cs
# (a test that seeds the sandbox's demo community and plays a day through that release's own flows and store on a
# throw-away redis-server: wishes, complaints, a closed drill and an open real muster with answers and timers,
# emergency mode with held notices, invitations, the roster, a pending roster import, a half-filled wizard, sent,
# retried, in-flight and waiting outbox messages) and runs it; the test dumps every key (type, TTL, value).
# Usage: tests/MusterBot.Tests/Migration/Producer/produce-snapshot.sh   (needs git, dotnet, redis-server)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(git -C "$here" rev-parse --show-toplevel)"
work="${SNAPSHOT_WORKTREE:-$(mktemp -d)/mb311}"
if [ ! -d "$work" ]; then
  git -C "$repo" worktree add --detach "$work" 311e355
fi
mkdir -p "$work/tests/MusterBot.Tests/Migration"
cp "$here/Snapshot311Producer.cs.txt" "$work/tests/MusterBot.Tests/Migration/Snapshot311Producer.cs"
out="$here/../snapshot-311e355.json"
SNAPSHOT_OUT="$out" dotnet test "$work/tests/MusterBot.Tests" --filter "FullyQualifiedName~Snapshot311Producer"
echo "written: $out ($(wc -c < "$out") bytes)"
echo "remove the worktree with: git -C \"$repo\" worktree remove --force \"$work\""
