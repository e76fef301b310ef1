#!/usr/bin/env bash
# Checks test.sh's and .ci/run's logic without touching the machine: a PATH that holds only basic tools and shims
# (fake apt-get, id, service, dotnet, fc-list), so redis-server, chromium, fonts and node look missing.
# Run by hand:  tests/scripts/test-sh.sh     (prints one line per case, exits non-zero when a case fails)
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0

# Basic tools only (bash, coreutils, grep, awk): no redis-server, node, npm, fc-list, chromium, apt-get, dotnet.
sys="$work/sys"
mkdir -p "$sys"
for tool in bash env cat head mkdir chmod dirname grep awk tee mktemp rm touch; do
  ln -s "$(command -v "$tool")" "$sys/$tool"
done

# shim NAME BODY: a tiny script in $shims
shim() { printf '#!%s\n%s\n' "$sys/bash" "$2" >"$shims/$1"; chmod +x "$shims/$1"; }

setup() {   # a fresh case: $shims first on PATH, a log of what the shims were asked to do
  case_dir="$work/case$1"; shims="$case_dir/shims"; log="$case_dir/log"
  mkdir -p "$shims"; : >"$log"
  export CHROMIUM="$case_dir/chromium" FAKE_LOG="$log" FAKE_SHIMS="$shims" FAKE_SYS="$sys"
  shim id 'echo "${FAKE_UID:-1000}"'
  shim dotnet 'echo "dotnet $*" >>"$FAKE_LOG"; echo "${FAKE_DOTNET_OUT:-Passed!  - Failed:     0, Passed:     7, Skipped:     0}"; exit "${FAKE_DOTNET_EXIT:-0}"'
  shim service 'echo "service $*" >>"$FAKE_LOG"'
}

run() {   # run a script with the fake PATH; sets out and rc
  out=$(PATH="$shims:$sys" "$sys/bash" "$@" 2>&1); rc=$?
}

expect() {   # expect NAME CONDITION-RESULT
  if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; echo "$out" | sed 's/^/     | /'; echo "     | log: $(cat "$log")"; fails=$((fails + 1)); fi
}

# 1. Not root, nothing installed: stops at once with the single command; dotnet test is not run.
setup 1
run "$repo/test.sh"
[ $rc -ne 0 ] && grep -qx '  sudo apt-get install -y redis-server chromium fontconfig fonts-noto-cjk nodejs npm' <<<"$out" && ! grep -q dotnet "$log"
expect "not root, all missing: prints the apt-get command, exits 1, no dotnet test" $?

# 2. fc-list present but no Chinese font, node present, npm missing: only what is missing is named.
setup 2
shim fc-list 'exit 0'
shim node 'exit 0'
shim redis-server 'exit 0'
touch "$CHROMIUM"; chmod +x "$CHROMIUM"
run "$repo/test.sh"
[ $rc -ne 0 ] && grep -qx '  sudo apt-get install -y fonts-noto-cjk npm' <<<"$out"
expect "no CJK font and no npm: names exactly fonts-noto-cjk npm" $?

# 3. Root with apt-get: installs what is missing (non-interactive), stops the redis service, then runs dotnet test
#    with the extra arguments.
setup 3
shim apt-get '
echo "apt-get $* DEBIAN_FRONTEND=${DEBIAN_FRONTEND:-}" >>"$FAKE_LOG"
if [ "$1" = install ]; then
  for p in "$@"; do
    case "$p" in
      redis-server) printf "#!%s\nexit 0\n" "$FAKE_SYS/bash" >"$FAKE_SHIMS/redis-server"; chmod +x "$FAKE_SHIMS/redis-server" ;;
      chromium) printf "#!%s\nexit 0\n" "$FAKE_SYS/bash" >"$CHROMIUM"; chmod +x "$CHROMIUM" ;;
      fonts-noto-cjk|fontconfig) printf "#!%s\necho Noto Sans CJK SC\n" "$FAKE_SYS/bash" >"$FAKE_SHIMS/fc-list"; chmod +x "$FAKE_SHIMS/fc-list" ;;
      nodejs) printf "#!%s\nexit 0\n" "$FAKE_SYS/bash" >"$FAKE_SHIMS/node"; chmod +x "$FAKE_SHIMS/node" ;;
      npm) printf "#!%s\nexit 0\n" "$FAKE_SYS/bash" >"$FAKE_SHIMS/npm"; chmod +x "$FAKE_SHIMS/npm" ;;
    esac
  done
fi'
FAKE_UID=0 run "$repo/test.sh" --filter "FullyQualifiedName~X"
[ $rc -eq 0 ] \
  && grep -q '^apt-get update -qq DEBIAN_FRONTEND=noninteractive$' "$log" \
  && grep -q '^apt-get install -y -qq redis-server chromium fontconfig fonts-noto-cjk nodejs npm DEBIAN_FRONTEND=noninteractive$' "$log" \
  && grep -q '^service redis-server stop$' "$log" \
  && grep -q '^dotnet test --filter FullyQualifiedName~X$' "$log"
expect "root: apt-get update + install of the missing packages, redis service stopped, dotnet test with args" $?

# 4. Everything present: no apt-get, no service stop; dotnet test's exit code is passed through.
setup 4
for t in redis-server node npm; do shim "$t" 'exit 0'; done
shim fc-list 'echo "Noto Sans CJK SC"'
shim apt-get 'echo "apt-get $*" >>"$FAKE_LOG"'
touch "$CHROMIUM"; chmod +x "$CHROMIUM"
FAKE_UID=0 FAKE_DOTNET_EXIT=3 run "$repo/test.sh"
[ $rc -eq 3 ] && ! grep -q apt-get "$log" && ! grep -q service "$log" && grep -q '^dotnet test$' "$log"
expect "all present: runs dotnet test only, passes its exit code through" $?

# 5. Root, but apt-get cannot provide chromium: stops with what is still missing, no dotnet test.
setup 5
for t in redis-server node npm; do shim "$t" 'exit 0'; done
shim fc-list 'echo "Noto Sans CJK SC"'
shim apt-get 'echo "apt-get $*" >>"$FAKE_LOG"'
FAKE_UID=0 run "$repo/test.sh"
[ $rc -ne 0 ] && grep -q 'still missing after apt-get install: chromium' <<<"$out" && ! grep -q dotnet "$log" && ! grep -q service "$log"
expect "root, install did not help: exits 1 naming chromium, redis (already there) not stopped" $?

# 6. No dotnet on PATH: says so.
setup 6
rm "$shims/dotnet"
run "$repo/test.sh"
[ $rc -ne 0 ] && grep -q 'the .NET 10 SDK is missing' <<<"$out"
expect "no dotnet: names the .NET SDK" $?

# 7. .ci/run calls test.sh and sums the results: "5 passed, 2 failed", non-zero exit.
setup 7
for t in redis-server node npm; do shim "$t" 'exit 0'; done
shim fc-list 'echo "Noto Sans CJK SC"'
touch "$CHROMIUM"; chmod +x "$CHROMIUM"
FAKE_DOTNET_OUT='Failed!  - Failed:     2, Passed:     5, Skipped:     0, Total:     7' FAKE_DOTNET_EXIT=1 run "$repo/.ci/run"
[ $rc -eq 1 ] && [ "$(tail -n 1 <<<"$out")" = "5 passed, 2 failed" ] && grep -q '^dotnet test$' "$log"
expect ".ci/run: runs test.sh, last line '5 passed, 2 failed', exit 1" $?

# 8. .ci/run when a prerequisite is missing and cannot be installed: "0 passed, 1 failed", non-zero exit.
setup 8
run "$repo/.ci/run"
[ $rc -ne 0 ] && [ "$(tail -n 1 <<<"$out")" = "0 passed, 1 failed" ]
expect ".ci/run: a missing prerequisite gives '0 passed, 1 failed' and exit 1" $?

echo "$fails failed"
exit $((fails > 0))
