# wine-lib.sh: run the Windows agent under wine (source after lib.sh).
#
#   wine_setup     skip (77) without wine64 or p2v-agent.exe; make the cached
#                  prefix ($P2V_BUILD_DIR/wine/prefix) once; export
#                  WINEPREFIX (as root: a private overlay of the cache on a
#                  tmpfs, see below) and WINEDEBUG
#   wine_run ARGS  /usr/lib/wine/wine64 ARGS
#   wine_version V winecfg -v V (win2003, win2008, win7...)
#
# As root the test runs in its own mount namespace (wine_reexec, called
# before lib.sh) and WINEPREFIX is an overlay whose upper layer is a small
# tmpfs: version changes never touch the cache, two tests never share a
# wineserver, and C: reports the tmpfs's size instead of the build
# machine's disk (whose use would not fit the node's free space).
# shellcheck shell=bash
WINE64=${WINE64:-/usr/lib/wine/wine64}
WINESERVER=${WINESERVER:-/usr/lib/wine/wineserver}

export WINEDEBUG=-all

wine_reexec() {   # wine_reexec "$0" "$@": re-run as root in a private mount namespace
    if [ "$(id -u)" = 0 ] && [ -z "${P2V_WINE_MNTNS:-}" ] && command -v unshare >/dev/null; then
        export P2V_WINE_MNTNS=1
        exec unshare --mount --propagation private bash "$@"
    fi
}

wine_run() { "$WINE64" "$@"; }
wine_version() { "$WINE64" winecfg -v "$1"; }

wine_setup() {
    P2V_AGENT_EXE=${P2V_AGENT_EXE:-$P2V_BUILD_DIR/bin/p2v-agent.exe}
    [ -x "$WINE64" ] || skip "no $WINE64 (apt-get install wine64)"
    [ -f "$P2V_AGENT_EXE" ] || skip "no $P2V_AGENT_EXE (install gcc-mingw-w64-x86-64 and rebuild)"
    local cache=$P2V_BUILD_DIR/wine/prefix start
    mkdir -p "$P2V_BUILD_DIR/wine"
    (
        flock 9
        if [ ! -f "$cache/system.reg" ]; then
            start=$(date +%s)
            say "creating the wine prefix $cache (once per build tree)"
            rm -rf "$cache"
            WINEPREFIX=$cache "$WINE64" wineboot -i >/dev/null 2>&1 || true
            WINEPREFIX=$cache "$WINESERVER" -w
            [ -f "$cache/system.reg" ] || fail "wineboot made no prefix in $cache"
            say "wine prefix ready in $(($(date +%s) - start)) s"
        fi
    ) 9>"$P2V_BUILD_DIR/wine/lock"
    if [ -n "${P2V_WINE_MNTNS:-}" ]; then
        mkdir -p "$TEST_TMP/upperfs" "$TEST_TMP/prefix"
        mount -t tmpfs -o size=1g p2v-wine "$TEST_TMP/upperfs"
        mkdir -p "$TEST_TMP/upperfs/upper" "$TEST_TMP/upperfs/work"
        mount -t overlay p2v-wine -o "lowerdir=$cache,upperdir=$TEST_TMP/upperfs/upper,workdir=$TEST_TMP/upperfs/work" \
            "$TEST_TMP/prefix"
        on_cleanup "umount '$TEST_TMP/prefix'; umount '$TEST_TMP/upperfs'"
        export WINEPREFIX=$TEST_TMP/prefix
        # a real server has no drive for the Unix root
        rm -f "$WINEPREFIX/dosdevices/z:"
    else
        export WINEPREFIX=$cache
    fi
    on_cleanup "WINEPREFIX='$WINEPREFIX' '$WINESERVER' -k 2>/dev/null; WINEPREFIX='$WINEPREFIX' '$WINESERVER' -w 2>/dev/null"
}
