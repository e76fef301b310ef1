#!/bin/bash
# Every 10 s: load average, and every dotnet test / bench / host / node process with its working directory (mine are under /work/wt-peer or the grammY cache).
while true; do
  line="$(date -u +%T) $(cut -d' ' -f1-3 /proc/loadavg) |"
  for p in $(pgrep -f 'dotnet test|MusterBot.Bench|MusterBot.Host|MusterBot.Tests|node bot.js'); do
    cwd=$(readlink /proc/$p/cwd 2>/dev/null); cmd=$(tr '\0' ' ' < /proc/$p/cmdline 2>/dev/null | cut -c1-70)
    line="$line [$p $cwd: $cmd]"
  done
  echo "$line"
  sleep 10
done
