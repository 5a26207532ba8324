#!/bin/sh
# The main job: a Windows credential stealer (demo/probe.c) run by Wine, first as is, then inside ww.
# Usage: demo/run-demo.sh WW_BINARY
set -eu
ww=${1:?usage: demo/run-demo.sh path/to/ww}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/ww-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
sh "$here/build-probe.sh" "$work/game" >/dev/null

# A player's home with what stealers look for.
home=$work/home
mkdir -p "$home/.ssh" "$home/.mozilla/firefox/default.profile" "$home/.config/autostart" "$home/prefix"
echo "-----BEGIN OPENSSH PRIVATE KEY----- (demo key)" > "$home/.ssh/id_rsa"
echo "SQLite format 3 (demo cookies)" > "$home/.mozilla/firefox/default.profile/cookies.sqlite"
echo "# the player's .bashrc" > "$home/.bashrc"
chmod -R go-rwx "$home"
export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"

echo "== Without a sandbox: wine probe.exe =="
HOME=$home WINEPREFIX=$home/prefix wine "$work/game/probe.exe" || true
cp "$home/.bashrc.orig" "$home/.bashrc" 2>/dev/null || echo "# the player's .bashrc" > "$home/.bashrc"
rm -f "$home/.config/autostart/x.desktop"

echo
echo "== Inside WineWarden: ww -- wine probe.exe --exit 7 =="
set +e
HOME=$home "$ww" -- wine "$work/game/probe.exe" --exit 7
status=$?
set -e
echo "ww exited with status $status (the probe's own exit code)"
echo
if grep -q "demo key" "$home/.ssh/id_rsa" && [ ! -e "$home/.config/autostart/x.desktop" ] && ! grep -q winewarden-probe "$home/.bashrc"; then
    echo "The real home is untouched: the key, the cookies and .bashrc are as they were, no autostart entry."
else
    echo "UNEXPECTED: the real home changed" >&2
    exit 1
fi
[ "$status" = 7 ]
