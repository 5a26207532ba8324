# Shared by the bench scripts (sourced after `here` is set to the repository).

# ww_binary [PATH]: PATH, else .build/release/ww, else .build/debug/ww; printed as an absolute path.
ww_binary() {
    w=${1:-}
    if [ -z "$w" ]; then
        if [ -x "$here/.build/release/ww" ]; then w=$here/.build/release/ww; else w=$here/.build/debug/ww; fi
    fi
    case $w in /*) ;; *) w=$(pwd)/$w ;; esac
    echo "$w"
}

# bench_user SCRIPT-NAME: run as root with WW_BENCH_USER=name, sets user, uid, gid and as (a setpriv
# prefix that runs a command as that user, as a player would); otherwise as is empty.
bench_user() {
    user=$(id -un)
    as=""
    if [ "$(id -u)" -eq 0 ] && [ -n "${WW_BENCH_USER:-}" ]; then
        entry=$(getent passwd "$WW_BENCH_USER") || { echo "$1: no user '$WW_BENCH_USER'" >&2; exit 1; }
        uid=$(echo "$entry" | cut -d: -f3)
        gid=$(echo "$entry" | cut -d: -f4)
        user=$WW_BENCH_USER
        as="setpriv --reuid=$uid --regid=$gid --clear-groups --"
    fi
}
