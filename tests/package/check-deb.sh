#!/usr/bin/env bash
# The Debian package: built by cpack from the build folder, unpacked into a scratch root with dpkg -x, and
# checked against what its own files promise: the desktop entry's Exec and Icon, the systemd unit's binary,
# config and state folder, and the config's policy. The unpacked executables run, and the shipped config
# passes the router's --check.
# Usage: check-deb.sh CPACK BUILD_DIR VERSION      (exit 77: skipped, a tool is missing)
set -uo pipefail
cpack=$1 build=$2 version=$3

for tool in dpkg dpkg-deb; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool not found; scripts/install-deps.sh installs it"
    exit 77
  fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
ok() { echo "ok: $*"; }

started=$(date +%s)
if ! "$cpack" -G DEB --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1; then
  cat "$work/cpack.log"
  echo "FAIL: cpack -G DEB failed (output above)"
  exit 1
fi
deb=$(ls "$work"/out/routeledger_*.deb 2>/dev/null | head -1)
if [ -z "$deb" ]; then
  cat "$work/cpack.log"
  echo "FAIL: cpack made no routeledger_*.deb in $work/out"
  exit 1
fi
ok "built $(basename "$deb") ($(du -h "$deb" | cut -f1)) in $(($(date +%s) - started)) s"

# Control fields.
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = routeledger ] || fail "Package is '$(field Package)', expected routeledger"
[ "$(field Version)" = "$version" ] || fail "Version is '$(field Version)', expected $version"
[ -n "$(field Maintainer)" ] || fail "no Maintainer field"
[ -n "$(field Section)" ] || fail "no Section field"
[ -n "$(field Description)" ] || fail "no Description field"
depends=$(field Depends)
for needed in libc6 libqt6widgets6 libsqlite3-0 libcurl4 tzdata; do
  [[ "$depends" == *"$needed"* ]] || fail "Depends lacks $needed: $depends"
done
dpkg-deb -e "$deb" "$work/control"
grep -qx /etc/routeledger/router.json "$work/control/conffiles" 2>/dev/null ||
  fail "/etc/routeledger/router.json is not a conffile (an upgrade would overwrite local edits)"
# Every file belongs to root and lies under /usr or /etc, none under /usr/local (Debian policy).
if dpkg-deb -c "$deb" | awk '$2 != "root/root"' | grep -q .; then
  fail "files not owned by root: $(dpkg-deb -c "$deb" | awk '$2 != "root/root"' | head -3)"
fi
stray=$(dpkg-deb -c "$deb" | awk '{print $NF}' | grep -Ev '^\./$|^\./(usr|etc)(/|$)' || true)
stray+=$(dpkg-deb -c "$deb" | awk '{print $NF}' | grep -E '^\./usr/local(/|$)' || true)
[ -z "$stray" ] || fail "files outside /usr and /etc, or in /usr/local: $stray"
ok "control fields, conffiles and file list"

root=$work/root
dpkg -x "$deb" "$root"

# The desktop entry: Exec found on PATH inside the root, Icon in the hicolor theme.
desktop=$root/usr/share/applications/routeledger.desktop
if [ -f "$desktop" ]; then
  exec_cmd=$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$desktop")
  icon=$(sed -n 's/^Icon=//p' "$desktop")
  exec_path=
  case $exec_cmd in
  /*) exec_path=$root$exec_cmd ;;
  *) for dir in usr/bin bin; do [ -x "$root/$dir/$exec_cmd" ] && exec_path=$root/$dir/$exec_cmd && break; done ;;
  esac
  [ -n "$exec_path" ] && [ -x "$exec_path" ] || fail "desktop entry Exec=$exec_cmd is not an executable in /usr/bin"
  [ -f "$root/usr/share/icons/hicolor/scalable/apps/$icon.svg" ] ||
    fail "desktop entry Icon=$icon: no /usr/share/icons/hicolor/scalable/apps/$icon.svg"
  grep -q '<svg' "$root/usr/share/icons/hicolor/scalable/apps/$icon.svg" 2>/dev/null || fail "the icon is not an SVG"
  if command -v desktop-file-validate >/dev/null; then
    out=$(desktop-file-validate "$desktop" 2>&1) || fail "desktop-file-validate: $out"
    [ -z "$out" ] || fail "desktop-file-validate: $out"
    ok "desktop entry (validated): Exec=$exec_cmd, Icon=$icon"
  else
    echo "SKIPPED CHECK: desktop-file-validate not found (Debian: desktop-file-utils, in scripts/install-deps.sh);" \
      "the desktop entry is not validated"
    ok "desktop entry: Exec=$exec_cmd, Icon=$icon"
  fi
else
  fail "no /usr/share/applications/routeledger.desktop"
fi

# The systemd unit: ExecStart's binary and --config in the package, the ledger in its StateDirectory.
unit=$root/usr/lib/systemd/system/routeledger-router.service
[ -f "$unit" ] || unit=$root/lib/systemd/system/routeledger-router.service
if [ -f "$unit" ]; then
  read -r exec_start config_flag config < <(sed -n 's/^ExecStart=//p' "$unit")
  [ -x "$root$exec_start" ] || fail "unit ExecStart=$exec_start is not an executable in the package"
  [ "$config_flag" = --config ] || fail "unit ExecStart does not pass --config: $exec_start $config_flag $config"
  [ -f "$root$config" ] || fail "unit's --config $config is not in the package"
  env_file=$(sed -n 's/^EnvironmentFile=-\{0,1\}//p' "$unit")
  [ "$(dirname "$env_file")" = "$(dirname "$config")" ] || fail "EnvironmentFile=$env_file is not beside $config"
  [ ! -e "$root$env_file" ] || fail "the package ships $env_file; it holds secrets and must be made by the admin"
  [ -f "$root/usr/share/routeledger/router.env.example" ] || fail "no /usr/share/routeledger/router.env.example"
  state=$(sed -n 's/^StateDirectory=//p' "$unit")
  if [ -f "$root$config" ]; then
    policy=$(sed -n 's/.*"policy_file": *"\([^"]*\)".*/\1/p' "$root$config")
    ledger=$(sed -n 's/.*"ledger": *"\([^"]*\)".*/\1/p' "$root$config")
    [ -f "$root$policy" ] || fail "router.json's policy_file $policy is not in the package"
    [[ "$ledger" == "/var/lib/$state/"* ]] || fail "router.json's ledger $ledger is not in StateDirectory /var/lib/$state"
    # The shipped config, pointed at the unpacked policy and a scratch ledger, passes --check.
    sed -e "s#\"$policy\"#\"$root$policy\"#" -e "s#\"$ledger\"#\"$work/ledger.db\"#" "$root$config" >"$work/router.json"
    if out=$(ROUTELEDGER_ADMIN_TOKEN=x OPENAI_API_KEY=x ANTHROPIC_API_KEY=x DEEPSEEK_API_KEY=x \
      "$root$exec_start" --config "$work/router.json" --check 2>&1); then
      ok "router.json passes --check: $out"
    else
      fail "the shipped router.json fails --check: $out"
    fi
  fi
  ok "systemd unit: ExecStart=$exec_start --config $config, ledger $ledger"
else
  fail "no systemd unit at /usr/lib/systemd/system/routeledger-router.service"
fi

# The unpacked (stripped) executables run.
for exe in routeledger routeledger-router; do
  out=$("$root/usr/bin/$exe" --version 2>&1) || fail "$exe --version from the package exited $?"
  [[ "$out" == "$exe $version (commit "* ]] || fail "$exe --version from the package printed '$out'"
done
ok "packaged executables run"

[ "$failures" -eq 0 ] || exit 1
echo "package: $(basename "$deb") checked in $(($(date +%s) - started)) s"
