#!/bin/sh
# with-keyring.sh COMMAND...: runs COMMAND inside its own D-Bus session with a freshly unlocked GNOME Keyring,
# a real Secret Service, so the credential tests use the keychain as users have it. The keyring files live in
# a temporary HOME that is removed afterwards.
set -e
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export HOME="$home" XDG_DATA_HOME="$home/.local/share" XDG_RUNTIME_DIR="$home/run"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
dbus-run-session -- sh -c 'printf test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 && exec "$@"' sh "$@"
