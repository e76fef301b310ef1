#!/bin/bash
# City fan-out (issue #15): 120,000 messages in 1,530 commits (one per community), at 1,000/s.
cd "$(dirname "$0")/MusterBot.Bench"
B=bin/Release/net10.0/MusterBot.Bench.dll
O=../results-city
for i in ${1:-1 2}; do
  { date -u; uptime; echo "+ dotnet $B --messages 120000 --rate 1000 --store redis --fanout-shards 1530"; } > $O/E$i-fanout-1000-shards.log
  dotnet $B --messages 120000 --rate 1000 --store redis --fanout-shards 1530 >> $O/E$i-fanout-1000-shards.log 2>&1
  echo "exit $?" >> $O/E$i-fanout-1000-shards.log; { date -u; uptime; } >> $O/E$i-fanout-1000-shards.log
done
