#!/bin/sh
# Syscall cost of the kernel layers: getppid (entry path plus every seccomp filter) and an AF_UNIX
# connect (the call a seccomp supervisor would be notified of), measured (a) directly, (b) under bare
# bwrap, (c) under `ww --`, in the same run. Prints what each sandbox adds. Source: bench/syscall.c.
# Usage: bench/kernel.sh [path/to/ww]   (default .build/release/ww, else .build/debug/ww)
# Environment:
#   WW_BENCH_USER=name   when run as root, run (a), (b) and (c) as that user (setpriv), as a player would
#   N_GETPPID, N_CONNECT iterations per round (default 2000000 and 20000; 15 rounds, minimum kept)
#   PASSES               the configurations are measured in turn this many times (default 2), minimum kept,
#                        so a slow spell of the machine (another build) does not land on one of them only
#   WW_BENCH_SKIP_WW=1   measure only (a) and (b)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
ww=$(ww_binary "${1:-}")
ng=${N_GETPPID:-2000000}
nc=${N_CONNECT:-20000}
passes=${PASSES:-2}

tmp=$(mktemp -d /tmp/ww-kernel-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
game=$tmp/game                   # the program's folder: ${GAME_DIR} for ww, --bind for bare bwrap
home=$tmp/home                   # a throwaway HOME, so ww's per-game virtual home does not linger
mkdir -p "$game" "$home" "$tmp/bin"
cc -O2 -Wall -o "$game/syscall-bench" "$here/bench/syscall.c"
cp -R "$here/profiles" "$tmp/profiles"
bench_user kernel.sh
if [ -n "$as" ]; then
    # The user must reach ww and the benchmark: copy ww next to it, outside the game folder.
    if [ -z "${WW_BENCH_SKIP_WW:-}" ] && [ -x "$ww" ]; then cp "$ww" "$tmp/bin/ww"; ww=$tmp/bin/ww; fi
    chmod 755 "$tmp"
    chmod -R a+rX "$tmp"
    chown "$uid:$gid" "$home"
fi
cd "$tmp"
env="env -i PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 HOME=$home USER=$user WW_PROFILE_PATH=$tmp/profiles"
bench=$game/syscall-bench
bwrap="bwrap --unshare-all --die-with-parent --ro-bind /usr /usr --ro-bind /etc /etc --symlink usr/lib64 /lib64 --symlink usr/lib /lib --symlink usr/bin /bin --proc /proc --dev /dev --tmpfs /tmp --bind $game $game --"

# run LABEL COMMAND...: the benchmark's result line on stdout, or a message on stderr and status 1.
run() {
    label=$1; shift
    if out=$($as $env "$@" 2>"$tmp/err"); then
        line=$(printf '%s\n' "$out" | grep -E '^(getppid|connect) ' | tail -n 1)
        if [ -n "$line" ]; then printf '%s\n' "$line"; return 0; fi
    fi
    echo "kernel.sh: $label: $* failed: $(tail -n 3 "$tmp/err" | tr '\n' ' ')$out" >&2
    return 1
}
# field LINE KEY: the value of KEY=… in a result line, or - when missing.
field() { v=$(printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"); echo "${v:--}"; }

configs="direct bwrap"
[ -z "${WW_BENCH_SKIP_WW:-}" ] && configs="$configs ww"
echo "getppid x $ng and connect x $nc, 15 rounds each, $passes passes, minimum kept; user $user; ww $ww" >&2
results=$tmp/results
: >"$results"
pass=1
while [ "$pass" -le "$passes" ]; do
    for c in $configs; do
        case $c in
            direct) prefix="" ;;
            bwrap) prefix=$bwrap ;;
            ww) prefix="$ww --" ;;
        esac
        echo "pass $pass: $c ..." >&2
        g=$(run "$c" $prefix "$bench" getppid "$ng") || g=""
        k=$(run "$c" $prefix "$bench" connect "$nc") || k=""
        echo "$c $(field "$g" ns) $(field "$k" ns) $(field "$k" connect_ns) $(field "$k" new_connect_ns) $(field "$k" new_connect_burst_ns)" >>"$results"
    done
    pass=$((pass + 1))
done

awk '
function num(x) { return x != "" && x != "-" }
function keep(arr, i, v) { if (num(v) && (!num(arr[i]) || v + 0 < arr[i] + 0)) arr[i] = v }
{
    if (!($1 in row)) { n++; row[$1] = n; name[n] = $1; g[n] = full[n] = con[n] = fresh[n] = burst[n] = "-" }
    i = row[$1]; keep(g, i, $2); keep(full, i, $3); keep(con, i, $4); keep(fresh, i, $5); keep(burst, i, $6)
}
END {

    label["direct"] = "direct"; label["bwrap"] = "bare bwrap"; label["ww"] = "ww --"
    printf "%-11s %12s %14s %16s %12s %14s %14s\n", "", "getppid ns", "+ns vs direct", "sock+conn+close", "connect us", "+us vs direct", "+us vs bwrap"
    for (i = 1; i <= n; i++) {
        if (!num(g[i]) && !num(full[i])) { printf "%-11s %12s\n", label[name[i]], "failed (see above)"; continue }
        dg = (i > 1 && num(g[1]) && num(g[i])) ? sprintf("%+.1f", g[i] - g[1]) : "-"
        dc = (i > 1 && num(con[1]) && num(con[i])) ? sprintf("%+.2f", (con[i] - con[1]) / 1000) : "-"
        db = (i > 2 && num(con[2]) && num(con[i])) ? sprintf("%+.2f", (con[i] - con[2]) / 1000) : "-"
        printf "%-11s %12s %14s %16s %12s %14s %14s\n", label[name[i]], num(g[i]) ? sprintf("%.1f", g[i]) : "-", dg,
               num(full[i]) ? sprintf("%.2f us", full[i] / 1000) : "-", num(con[i]) ? sprintf("%.2f", con[i] / 1000) : "-", dc, db
    }
    print "connect us = (socket+connect+close) - (socket+close), per call; getppid = entry/exit + seccomp"
    for (i = 2; i <= n; i++) if (num(fresh[i]) && num(fresh[1]))
        printf "new destination, %s: connect %.2f us (%+.2f vs direct) when 200 us apart; back to back %.2f us (%+.2f)\n", label[name[i]],
               fresh[i] / 1000, (fresh[i] - fresh[1]) / 1000, burst[i] / 1000, (burst[i] - burst[1]) / 1000
}' "$results"
