#!/bin/bash
# City-size series (issue #15), sequential; each block logs to its own file with uptime before and after.
# Build first: dotnet build -c Release bench/MusterBot.Bench. Logs go to bench/results-city/.
# D2-D4 (120,000 messages as ONE commit) fail on main: the commit times out (see docs/benchmarks.md).
cd "$(dirname "$0")/MusterBot.Bench"
B=bin/Release/net10.0/MusterBot.Bench.dll
O=../results-city
run() { name=$1; shift; { date -u; uptime; echo "+ $*"; } > $O/$name.log; "$@" >> $O/$name.log 2>&1; echo "exit $?" >> $O/$name.log; { date -u; uptime; } >> $O/$name.log; }
run A-redis-checkin dotnet $B --scenario city --store redis --runs 3 --phases checkin
run C1-cluster-store dotnet $B --scenario city --store cluster --runs 1 --phases seed
run C2-cluster-raw dotnet $B --scenario city --store cluster --runs 3 --phases seed --seed-via raw
BENCH_REDIS_ARGS="--hash-max-listpack-value 1024" run B-redis-listpack1024 dotnet $B --scenario city --store redis --runs 3 --phases seed
run D1-fanout-30 dotnet $B --messages 3600 --rate 30 --store redis
run D2-fanout-1000 dotnet $B --messages 120000 --rate 1000 --store redis
run D3-fanout-1000 dotnet $B --messages 120000 --rate 1000 --store redis
run D4-fanout-1000 dotnet $B --messages 120000 --rate 1000 --store redis
