#!/usr/bin/env bash
# Runs every test (dotnet test), after checking what the tests need besides the .NET SDK:
#   redis-server       the Redis tests start their own server on a free port
#   chromium           the sandbox browser test drives Debian's chromium headless (CHROMIUM overrides the path)
#   a CJK font         so the sandbox screenshot shows Chinese, not boxes (fonts-noto-cjk; checked with fc-list)
#   node and npm       the browser test's driver is playwright-core from npm
# As root on Debian/Ubuntu it installs what is missing with apt-get; otherwise it stops at once and prints the one
# command to run. Extra arguments go to dotnet test:  ./test.sh --filter "FullyQualifiedName~Wish"
set -euo pipefail
cd "$(dirname "$0")"

chromium="${CHROMIUM:-/usr/bin/chromium}"

missing=()
check() {
  missing=()
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  [ -x "$chromium" ] || missing+=(chromium)
  if ! command -v fc-list >/dev/null 2>&1; then
    missing+=(fontconfig fonts-noto-cjk)
  elif [ -z "$(fc-list :lang=zh family 2>/dev/null | head -n 1)" ]; then
    missing+=(fonts-noto-cjk)
  fi
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
}

if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET 10 SDK is missing (dotnet is not on PATH): https://learn.microsoft.com/dotnet/core/install/linux" >&2
  exit 1
fi

check
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: the tests need: ${missing[*]}" >&2
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    had_redis=0
    command -v redis-server >/dev/null 2>&1 && had_redis=1
    echo "test.sh: installing them with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
    if [ "$had_redis" -eq 0 ]; then
      # The Debian package may start a redis-server service on 6379; the tests never use it (each starts its own).
      if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then
        systemctl stop redis-server >/dev/null 2>&1 || true
      elif command -v service >/dev/null 2>&1; then
        service redis-server stop >/dev/null 2>&1 || true
      fi
    fi
    check
    if [ ${#missing[@]} -gt 0 ]; then
      echo "test.sh: still missing after apt-get install: ${missing[*]}" >&2
      exit 1
    fi
  else
    if command -v apt-get >/dev/null 2>&1; then
      echo "test.sh: install them with this command, then run ./test.sh again:" >&2
    else
      echo "test.sh: install these Debian/Ubuntu packages (or your system's equivalents), then run ./test.sh again:" >&2
    fi
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

# The tests run the host in their own process: with W^X off, as the host is deployed (docs/deployment.md#runtime-settings).
export DOTNET_EnableWriteXorExecute=0
exec dotnet test "$@"
