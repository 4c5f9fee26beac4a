#!/usr/bin/env bash
# Installs the Debian 12 packages RouteLedger needs to build, test and run.
# Idempotent: packages already present are skipped, so a second run costs nothing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev qt6-svg-dev
  libre2-dev nlohmann-json3-dev libsqlite3-dev sqlite3 libcurl4-openssl-dev libhowardhinnant-date-dev tzdata
  libgtest-dev libbenchmark-dev
  libboost1.74-dev libssl-dev curl wrk
  nginx-light # the plain reverse proxy the router is measured beside (../shared/peer/bench.sh; not started here)
  clang-14 libfuzzer-14-dev libclang-rt-14-dev clang-format
  xvfb xauth fonts-dejavu-core
  qtkeychain-qt6-dev gnome-keyring dbus
  dpkg-dev desktop-file-utils # the .deb: dpkg-shlibdeps finds its Depends; the desktop entry is validated
)

# The router's end-to-end tests run a Node fake upstream and the official `openai` npm client (installed by
# the test into build/npm-openai). Node 20 is not a Debian 12 package: say so rather than fail later.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "install-deps: node and npm (Node 20) are needed by the router tests; install Node 20 (e.g. NodeSource)" >&2
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
