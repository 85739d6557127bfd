#!/usr/bin/env bash
# `npm test` needs redis-server on the PATH: the Redis store, limiter and fleet tests start their
# own redis-server child processes. On a fresh Debian machine where we are root, install it;
# anywhere else, say what is missing.
set -euo pipefail
command -v redis-server >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "redis-server not found; installing it from Debian's packages (needed by the Redis tests)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq redis-server >/dev/null
  exit 0
fi
echo "redis-server is not on the PATH; the Redis tests need it (Debian/Ubuntu: sudo apt-get install redis-server)" >&2
exit 1
