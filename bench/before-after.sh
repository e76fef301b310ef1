#!/usr/bin/env bash
# Runs the same benchmarks on two builds of the bench, interleaved (A, B, A, B, …), 3 times each, and prints
# min / median / max per figure. Usage:
#   bench/before-after.sh <dir of build A> <dir of build B> [runs]
# where each dir is a checkout whose bench was built with `dotnet build -c Release bench/MusterBot.Bench`.
# Needs redis-server (each run starts its own) and python3 for the summary.
set -euo pipefail
a=$1; b=$2; runs=${3:-3}
out=$(mktemp -d)
bench() { dotnet "$1/bench/MusterBot.Bench/bin/Release/net10.0/MusterBot.Bench.dll" "${@:2}"; }
for i in $(seq 1 "$runs"); do
  for side in A B; do
    dir=$a; [ "$side" = B ] && dir=$b
    bench "$dir" --scenario checkin --members 10000 --store redis > "$out/checkin-$side-$i.txt" 2>&1 || true
    bench "$dir" --rate 1000 --messages 10000 > "$out/fanout1000-$side-$i.txt" 2>&1 || true
    bench "$dir" --rate 30 --messages 1000 > "$out/fanout30-$side-$i.txt" 2>&1 || true
    echo "run $i $side done ($(date -u +%H:%M:%S))" >&2
  done
done
python3 - "$out" <<'PY'
import re, sys, glob, statistics, os
out = sys.argv[1]
def num(pattern, text, group=1):
    m = re.search(pattern, text)
    return float(m.group(group).replace(',', '')) if m else None
figures = {
    'checkin': [
        ('check-ins/s committed', r'all committed .*= (\d+) check-ins/s'),
        ('check-ins/s answered', r'all answered .*= (\d+) check-ins/s'),
        ('answer p99 ms', r'press → answer p50 / p99 / max\s+\d+ / (\d+) /'),
        ('CPU s / 1,000 (bot)', r'CPU s per 1,000 check-ins \(bot; redis\)\s+([\d.]+);'),
        ('CPU s / 1,000 (redis)', r'CPU s per 1,000 check-ins \(bot; redis\)\s+[\d.]+; ([\d.]+)'),
        ('peak working set MB', r'peak working set \(redis peak\)\s+(\d+) MB'),
    ],
    'fanout1000': [
        ('steady share %', r'steady state: fan-out accepted\s+[\d.]+/s = ([\d.]+) %'),
        ('end-to-end share %', r'end to end: achieved rate\s+[\d.]+/s = ([\d.]+) %'),
        ('reply p99 s', r'reply queue delay p50 / p99 / max\s+[\d.]+ / ([\d.]+) /'),
        ('lost', r'fan-out received / lost / duplicates\s+[\d,]+ / (\d+) /'),
        ('duplicates', r'fan-out received / lost / duplicates\s+[\d,]+ / \d+ / (\d+)'),
        ('CPU s / 1,000 (bot)', r'CPU s per 1,000 messages\s+([\d.]+) bot'),
        ('CPU s / 1,000 (redis)', r'CPU s per 1,000 messages\s+[\d.]+ bot process \+ ([\d.]+)'),
        ('peak working set MB', r'peak working set\s+(\d+) MB'),
    ],
}
figures['fanout30'] = figures['fanout1000']
for scenario, rows in figures.items():
    print(f'\n### {scenario}\n')
    print('| figure | A min / median / max | B min / median / max |')
    print('|---|---:|---:|')
    for name, pattern in rows:
        cells = []
        for side in 'AB':
            values = [num(pattern, open(f).read()) for f in sorted(glob.glob(f'{out}/{scenario}-{side}-*.txt'))]
            values = [v for v in values if v is not None]
            cells.append(' / '.join(f'{v:g}' for v in (min(values), statistics.median(values), max(values))) if values else 'n/a')
        print(f'| {name} | {cells[0]} | {cells[1]} |')
print(f'\nraw output: {out}')
PY
