#!/usr/bin/env bash
# Runs a test as an unprivileged user: root writes to read-only files and folders, so the refusals a
# normal user meets can only be checked without root. Without root it runs the test as it is.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
  exec "$@"
fi
export HOME=/tmp XDG_RUNTIME_DIR=
exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
