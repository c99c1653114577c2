#!/bin/bash
# source-down.sh ID: stop and remove the simulated server made by
# source-up.sh ID. Removes only what $P2V_TEST_TMP/ID/state records as made
# by this ID: the nspawn process (checked by its command line before it is
# signalled), the mounts under the ID's dir, the loop devices (checked by
# their backing image before detaching), the veths and namespaces, then the
# dir itself. Idempotent; safe after a partial source-up.
set -euo pipefail

die() { echo "source-down: $*" >&2; exit 1; }
warn() { echo "source-down: $*" >&2; }

[ $# -eq 1 ] || die "usage: source-down.sh ID"
ID=$1
case $ID in ''|*/*|.|..) die "bad ID '$ID' (no slashes)";; esac
[ "$(id -u)" = 0 ] || die "must run as root"

TMPBASE=${P2V_TEST_TMP:-/tmp/p2v-tests}
[ -d "$TMPBASE" ] || exit 0
TMPBASE=$(cd "$TMPBASE" && pwd -P)
DIR=$TMPBASE/$ID
STATE=$DIR/state
[ -d "$DIR" ] || exit 0

rc=0

# Lines of the state file of one kind, newest first.
entries() { if [ -f "$STATE" ]; then tac "$STATE" | awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print }'; fi; }

# Is PID the systemd-nspawn of MACHINE we started?
is_our_nspawn() {
    local pid=$1 machine=$2 cmd
    [ -r "/proc/$pid/cmdline" ] || return 1
    cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
    case $cmd in *systemd-nspawn*"--machine=$machine "*) return 0;; esac
    return 1
}

# ------------------------------------------------------------ the server
while read -r pid machine; do
    [ -n "$pid" ] || continue
    if is_our_nspawn "$pid" "$machine"; then
        # The container's init: the child of nspawn in a new pid namespace.
        inits=$(ps -o pid= --ppid "$pid" 2>/dev/null || true)
        # SIGTERM makes nspawn ask the container's systemd to power off.
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do
            is_our_nspawn "$pid" "$machine" || break
            sleep 0.2
        done
        if is_our_nspawn "$pid" "$machine"; then
            warn "nspawn $pid did not stop in 20 s; killing it and its container"
            for i in $inits; do kill -KILL "$i" 2>/dev/null || true; done
            kill -KILL "$pid" 2>/dev/null || true
            for _ in $(seq 1 50); do
                is_our_nspawn "$pid" "$machine" || break
                sleep 0.2
            done
            is_our_nspawn "$pid" "$machine" && { warn "nspawn $pid still running"; rc=1; }
        fi
    fi
    # nspawn may leave its per-machine propagation dir behind (/run is on
    # disk here and nspawn refuses to rm -rf a disk file system).
    if [ -n "$machine" ] && [ -d "/run/systemd/nspawn/propagate/$machine" ]; then
        rm -rf --one-file-system "/run/systemd/nspawn/propagate/$machine" || true
    fi
done < <(entries pid)

# ------------------------------------------------------------ mounts
# The recorded ones, then anything still mounted under the ID's dir, deepest
# first (all of it is ours: nothing else mounts inside $DIR).
under_dir_mounts() {
    awk -v d="$DIR/" '{ m = $5; gsub(/\\040/, " ", m); if (index(m, d) == 1) print m }' /proc/self/mountinfo | sort -r
}
{ entries mount; under_dir_mounts; } | while read -r m; do
    [ -n "$m" ] || continue
    if mountpoint -q "$m" 2>/dev/null; then
        umount "$m" 2>/dev/null || umount -l "$m" || { warn "cannot unmount $m"; }
    fi
done
if [ -n "$(under_dir_mounts)" ]; then
    warn "still mounted under $DIR:"; under_dir_mounts >&2; rc=1
fi

# ------------------------------------------------------------ loop devices
backing_of() { # DEV: its image, or nothing when unbound
    local back
    back=$(losetup -n -O BACK-FILE "$1" 2>/dev/null | sed 's/ *$//') || return 0
    # losetup appends " (deleted)" when the image is gone.
    printf '%s' "${back% (deleted)}"
}
detach_if_ours() { # DEV IMG
    [ "$(backing_of "$1")" = "$2" ] || return 0
    losetup -d "$1" 2>/dev/null && return 0
    # A detach while the device is still open (udev probing it after the
    # umount) is deferred to its last close, so the device can go on
    # showing our image and a second detach, for the image's own record,
    # then fail with ENXIO once the first completes: unbound is success.
    [ "$(backing_of "$1")" = "$2" ] || return 0
    warn "cannot detach $1 (still bound to $2)"; rc=1
}
while read -r dev img; do
    [ -n "$dev" ] && detach_if_ours "$dev" "$img"
done < <(entries loop)
# Images attached but not yet recorded as a loop (failure between the two).
while read -r img; do
    [ -n "$img" ] || continue
    for dev in $(losetup -n -O NAME -j "$img" 2>/dev/null); do
        detach_if_ours "$dev" "$img"
    done
done < <(entries image)

# ------------------------------------------------------------ network
while read -r ns dev; do
    [ -n "$dev" ] || continue
    if ip netns list | awk '{print $1}' | grep -qx "$ns" && ip -n "$ns" link show "$dev" >/dev/null 2>&1; then
        ip -n "$ns" link del "$dev" || { warn "cannot delete $dev in $ns"; rc=1; }
    fi
done < <(entries veth)
while read -r ns; do
    [ -n "$ns" ] || continue
    if ip netns list | awk '{print $1}' | grep -qx "$ns"; then
        ip netns del "$ns" || { warn "cannot delete namespace $ns"; rc=1; }
    fi
done < <(entries netns)

# ------------------------------------------------------------ the dir
if [ $rc = 0 ]; then
    rm -rf --one-file-system "$DIR"
else
    warn "left $DIR in place (see above)"
fi
exit $rc
