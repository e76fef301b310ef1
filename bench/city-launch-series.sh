#!/bin/bash
# City-wide launch series (issue #15 point 8): 3 runs on one Redis node, 3 on the 3-master cluster, each run on a fresh
# server with the city seeded again. Build first: dotnet build -c Release bench/MusterBot.Bench.
# Logs go to bench/results-city/ (uptime before and after each block).
cd "$(dirname "$0")/MusterBot.Bench"
B=bin/Release/net10.0/MusterBot.Bench.dll
O=../results-city
mkdir -p $O
run() { name=$1; shift; { date -u; uptime; echo "+ $*"; } > $O/$name.log; "$@" >> $O/$name.log 2>&1; echo "exit $?" >> $O/$name.log; { date -u; uptime; } >> $O/$name.log; }
run L1-redis-launch dotnet $B --scenario city --store redis --runs 3 --phases launch
run L2-cluster-launch dotnet $B --scenario city --store cluster --runs 3 --phases launch
