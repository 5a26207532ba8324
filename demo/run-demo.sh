#!/bin/sh
# The main job: a Windows credential stealer (demo/probe.c) run by Wine, first as is, then inside ww.
# Usage: demo/run-demo.sh WW_BINARY
set -eu
ww=${1:?usage: demo/run-demo.sh path/to/ww}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/ww-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
sh "$here/build-probe.sh" "$work/game" >/dev/null
# The shipped profiles, where the (possibly copied) binary and the demo user can read them.
cp -r "$here/../profiles" "$work/profiles"
export WW_PROFILE_PATH="$work/profiles"

# Players do not run games as root, and root owns /etc/shadow: as root, run both halves as a demo user.
run_as=""
if [ "$(id -u)" -eq 0 ]; then
    id wwdemo >/dev/null 2>&1 || useradd -m -s /bin/sh wwdemo
    cp "$ww" "$work/ww"; ww=$work/ww
    run_as="setpriv --reuid=wwdemo --regid=wwdemo --clear-groups --"
fi

# A player's home with what stealers look for.
home=$work/home
mkdir -p "$home/.ssh" "$home/.aws" "$home/.mozilla/firefox/default.profile" "$home/.config/autostart" "$home/prefix"
echo "-----BEGIN OPENSSH PRIVATE KEY----- (demo key)" > "$home/.ssh/id_rsa"
printf '[default]\naws_access_key_id = AKIADEMO\naws_secret_access_key = (demo secret)\n' > "$home/.aws/credentials"
echo "SQLite format 3 (demo cookies)" > "$home/.mozilla/firefox/default.profile/cookies.sqlite"
echo "# the player's .bashrc" > "$home/.bashrc"
chmod -R go-rwx "$home"
chmod 755 "$work" "$work/game" "$work/profiles"; chmod 644 "$work/game/"*.exe "$work/profiles/"*.toml
[ -n "$run_as" ] && chown -R wwdemo: "$home"
export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"

echo "== Without a sandbox: wine probe.exe =="
HOME=$home WINEPREFIX=$home/prefix $run_as wine "$work/game/probe.exe" || true
echo "# the player's .bashrc" > "$home/.bashrc"
rm -f "$home/.config/autostart/x.desktop"

echo
echo "== Inside WineWarden: ww -- wine probe.exe --exit 7 =="
set +e
HOME=$home $run_as "$ww" -- wine "$work/game/probe.exe" --exit 7
status=$?
set -e
echo "ww exited with status $status (the probe's own exit code)"
echo
echo "== What ww saw: ww events --kind secret_touched --kind persistence_attempt; ww trust list =="
HOME=$home $run_as "$ww" events --kind secret_touched --kind persistence_attempt
HOME=$home $run_as "$ww" trust list
echo
if grep -q "demo key" "$home/.ssh/id_rsa" && grep -q "demo secret" "$home/.aws/credentials" && [ ! -e "$home/.config/autostart/x.desktop" ] && ! grep -q winewarden-probe "$home/.bashrc"; then
    echo "The real home is untouched: the key, the cookies and .bashrc are as they were, no autostart entry."
else
    echo "UNEXPECTED: the real home changed" >&2
    exit 1
fi
[ "$status" = 7 ]
