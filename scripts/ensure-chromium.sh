#!/usr/bin/env bash
# The dashboard's browser tests (test/dashboard/) drive Debian's chromium through playwright-core,
# which downloads no browser of its own. On a fresh Debian machine where we are root, install it;
# anywhere else, say what is missing (or set CHROMIUM_PATH to a Chromium/Chrome binary).
set -euo pipefail
[ -n "${CHROMIUM_PATH:-}" ] && exit 0
command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "chromium not found; installing it from Debian's packages (needed by the dashboard browser tests)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "chromium is not on the PATH; the dashboard browser tests need it (Debian: sudo apt-get install chromium), or set CHROMIUM_PATH" >&2
exit 1
