#!/bin/bash
# bench.sh: p2vmigrate against rsync -aHAXS and tar|ssh|tar, same source,
# same ssh, same run. See bench/README.md for the knobs and the columns.
#
# Builds one reference source per run (a simulated server from
# tests/hosts/source-up.sh plus make-tree.sh --profile bench in /srv/bench),
# then runs the scenarios in BENCH_SCENARIOS for every tool in BENCH_TOOLS
# and prints one table per scenario. Everything it makes (the server, its
# namespaces and loop devices, the destination loop ext4, the cpuacct
# cgroup) is removed at exit, by id, however the run ends.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
P2V_SOURCE_DIR=$(cd "$HERE/.." && pwd)
P2V_BUILD_DIR=${P2V_BUILD_DIR:-$P2V_SOURCE_DIR/build-bench}
BENCH_DIR=${BENCH_DIR:-/var/tmp/p2v-bench}
BENCH_TOOLS=${BENCH_TOOLS:-rsync tar p2vmigrate}
BENCH_SCENARIOS=${BENCH_SCENARIOS:-lan sync wan100 wan1g resume}
BENCH_CTID=${BENCH_CTID:-9101}
BENCH_RATE_ONLY=${BENCH_RATE_ONLY:-0}
BENCH_KEEP=${BENCH_KEEP:-0}
export P2V_TREE_FILES=${P2V_TREE_FILES:-20000}
export P2V_TREE_BIG_MB=${P2V_TREE_BIG_MB:-256}
export P2V_TREE_BIG_COUNT=${P2V_TREE_BIG_COUNT:-3}
export P2V_TREE_SPARSE_MB=${P2V_TREE_SPARSE_MB:-1024}

die() { echo "bench: $*" >&2; exit 1; }
log() { echo "bench: $*" >&2; }
[ "$(id -u)" = 0 ] || die "must run as root (namespaces, loop devices, cgroups)"
for t in rsync tar ssh /usr/bin/time ip tc losetup mkfs.ext4 bsdtar getfattr jq openssl; do
    command -v "$t" >/dev/null 2>&1 || die "missing tool '$t' (apt-get install rsync tar openssh-client time iproute2 e2fsprogs libarchive-tools attr acl jq openssl)"
done

mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd -P)
RUN=$BENCH_DIR/run-$(date +%Y%m%d-%H%M%S)-$$
mkdir -p "$RUN"
RESULTS=$RUN/results.txt
: >"$RESULTS"
export P2V_TEST_TMP=$RUN/hosts
SRC_ID=bench
DEST_IMG=$RUN/dest.img
DEST=$RUN/dest
CG=""
DEST_LOOP=""
MANIFEST=$P2V_SOURCE_DIR/tests/tools/tree-manifest.sh

# ------------------------------------------------------------ cleanup
cleanup() {
    local rc=$? p
    set +e
    trap - EXIT INT TERM
    if [ -n "$CG" ] && [ -d "$CG" ]; then
        # Move anything left back to the root group, then remove ours.
        while read -r p; do echo "$p" >"${CG%/*}/cgroup.procs" 2>/dev/null; done <"$CG/cgroup.procs"
        rmdir "$CG" 2>/dev/null || log "could not remove cgroup $CG"
    fi
    if mountpoint -q "$DEST" 2>/dev/null; then
        find "$DEST" -xdev -type f -exec chattr -i -a -- {} + 2>/dev/null
        umount "$DEST" || umount -l "$DEST"
    fi
    if [ -n "$DEST_LOOP" ]; then
        back=$(losetup -n -O BACK-FILE "$DEST_LOOP" 2>/dev/null | sed 's/ *$//; s/ (deleted)$//')
        [ "$back" = "$DEST_IMG" ] && losetup -d "$DEST_LOOP"
    fi
    rm -f "$DEST_IMG"
    if [ -f "$P2V_TEST_TMP/$SRC_ID/state" ]; then
        if [ "$BENCH_KEEP" = 1 ]; then
            log "BENCH_KEEP=1: server kept; tear down with P2V_TEST_TMP=$P2V_TEST_TMP $P2V_SOURCE_DIR/tests/hosts/source-down.sh $SRC_ID"
        else
            "$P2V_SOURCE_DIR/tests/hosts/source-down.sh" "$SRC_ID" || log "source-down failed"
        fi
    fi
    [ "$BENCH_KEEP" = 1 ] || rm -rf --one-file-system "$P2V_TEST_TMP"
    [ "$rc" = 0 ] || log "failed (exit $rc); partial results in $RUN"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------ the source
t0=$(date +%s)
log "booting the reference server (tests/hosts/source-up.sh $SRC_ID)"
"$P2V_SOURCE_DIR/tests/hosts/source-up.sh" "$SRC_ID" >&2
# shellcheck disable=SC1090,SC1091
. "$P2V_TEST_TMP/$SRC_ID/host.env"
# A quiet server: its timers would change the source between scenarios
# (apt's daily run once wrote 70 MB into /var/cache/apt during wan100,
# which skewed the next scenario's re-sent % and every manifest).
# shellcheck disable=SC2086
ip netns exec "$NODE_NS" $RSH "root@$SRC_IP" 'systemctl stop "*.timer"' ||
    die "cannot stop the reference server's timers"
# rsync must exist on the source (the cached root has none): the node's own
# binary and the libraries the root lacks (same Debian release).
if ! [ -x "$SRC_ROOT/usr/bin/rsync" ]; then
    cp -L "$(command -v rsync)" "$SRC_ROOT/usr/bin/rsync"
    for lib in $(ldd "$(command -v rsync)" | awk '/=>/ { print $3 }'); do
        [ -e "$SRC_ROOT$lib" ] || cp -L "$lib" "$SRC_ROOT$lib"
    done
    chroot "$SRC_ROOT" /usr/bin/rsync --version >/dev/null || die "rsync does not run on the source"
fi
log "making the bench tree in $SRC_ROOT/srv/bench (P2V_TREE_FILES=$P2V_TREE_FILES P2V_TREE_BIG_MB=$P2V_TREE_BIG_MB x $P2V_TREE_BIG_COUNT, P2V_TREE_SPARSE_MB=$P2V_TREE_SPARSE_MB)"
"$P2V_SOURCE_DIR/tests/hosts/make-tree.sh" "$SRC_ROOT/srv/bench" --profile bench

# What is copied: the server's root with its local mounts, minus the
# pseudo/volatile filesystems' contents (same list for every tool).
PSEUDO=(proc sys dev run tmp)
RSYNC_EXCL=()
TAR_EXCL=()
MAN_EXCL=()
for d in "${PSEUDO[@]}"; do
    RSYNC_EXCL+=("--exclude=/$d/*")
    TAR_EXCL+=("--exclude=./$d/*")
    MAN_EXCL+=(--exclude "$d")
done
# Files the running server itself rewrites (logins, timers): not compared.
for f in var/log/wtmp var/log/btmp var/log/lastlog var/log/journal var/lib/systemd; do MAN_EXCL+=(--exclude "$f"); done

src_bytes=$(du -sxb --apparent-size "$SRC_ROOT" "$SRC_ROOT/srv/data" "$SRC_ROOT/srv/xfs" | awk '{ s += $1 } END { printf "%.0f\n", s }')
src_alloc=$(du -sxb "$SRC_ROOT" "$SRC_ROOT/srv/data" "$SRC_ROOT/srv/xfs" | awk '{ s += $1 } END { printf "%.0f\n", s }')
src_entries=$(find "$SRC_ROOT" | wc -l)
log "source: $src_entries entries, $((src_bytes / 1048576)) MiB apparent, $((src_alloc / 1048576)) MiB allocated; ready in $(( $(date +%s) - t0 )) s"

# ------------------------------------------------------------ destination
# One loop ext4 (like a node's /vz), sparse image; each tool copies into
# its own directory. Its df usage is how the resume scenario finds "half".
# Sparse, so its size costs nothing: big enough for 3 copies, and for
# p2vmigrate's space check, which sees the statfs of the server's root (the
# host filesystem the simulated root lives on, not just the copy set).
img=$(( src_alloc * 5 + 2 * 1024 * 1024 * 1024 ))
host_used=$(df -B1 --output=used "$SRC_ROOT" | tail -n 1 | tr -d ' ')
[ "$img" -ge $(( host_used * 3 / 2 )) ] || img=$(( host_used * 3 / 2 ))
truncate -s "$img" "$DEST_IMG"
mkfs.ext4 -q -F -b 4096 -L p2v-bench "$DEST_IMG"
DEST_LOOP=$(losetup --find --show "$DEST_IMG")
mkdir -p "$DEST"
mount "$DEST_LOOP" "$DEST"
mkdir -p "$DEST/rsync" "$DEST/tar" "$DEST/p2v" "$RUN/conf" "$RUN/state"
cat >"$RUN/p2v.conf" <<EOF
# bench node config (written by bench/bench.sh)
VE_PRIVATE="$DEST/p2v/\$VEID"
VE_ROOT="$RUN/root/\$VEID"
VZ_CONF_DIR="$RUN/conf"
RUNTIME="none"
P2V_STATE_DIR="$RUN/state"
NODE_OS="linux"
AGENT_BINARY="$P2V_BUILD_DIR/bin/p2v-agent"
EOF
dest_of() { case $1 in p2vmigrate) echo "$DEST/p2v/$BENCH_CTID" ;; *) echo "$DEST/$1" ;; esac; }
dest_used() { df -B1 --output=used "$DEST" | tail -n 1 | tr -d ' '; }

# ------------------------------------------------------------ meters
# Source CPU: every process of the server (its pid namespace lives in the
# source netns) goes into a cpuacct cgroup of ours; sshd sessions and the
# rsync/tar/agent they start inherit it.
SRC_CPU_MODE=none
if [ -d /sys/fs/cgroup/cpuacct ] && mkdir "/sys/fs/cgroup/cpuacct/p2v-bench-$SRC_TAG" 2>/dev/null; then
    CG=/sys/fs/cgroup/cpuacct/p2v-bench-$SRC_TAG
    for p in $(ip netns pids "$SRC_NS"); do echo "$p" >"$CG/cgroup.procs" 2>/dev/null || true; done
    SRC_CPU_MODE=cpuacct
else
    # cgroup v2: the server's sshd unit cgroup holds every session.
    sshd_pid=$(for p in $(ip netns pids "$SRC_NS"); do [ "$(cat "/proc/$p/comm" 2>/dev/null)" = sshd ] && echo "$p"; done | awk 'NR == 1')
    cgpath=$(awk -F: '$1 == "0" { print $3 }' "/proc/$sshd_pid/cgroup" 2>/dev/null || true)
    for base in /sys/fs/cgroup /sys/fs/cgroup/unified; do
        if [ -n "$cgpath" ] && [ -f "$base$cgpath/cpu.stat" ]; then CG2=$base$cgpath; SRC_CPU_MODE=cgroup2; break; fi
    done
fi
src_cpu_ns() {
    case $SRC_CPU_MODE in
        cpuacct) cat "$CG/cpuacct.usage" ;;
        cgroup2) awk '$1 == "usage_usec" { printf "%.0f\n", $2 * 1000 }' "$CG2/cpu.stat" ;;
        *) echo 0 ;;
    esac
}
wire_bytes() {
    ip netns exec "$NODE_NS" sh -c "cat /sys/class/net/$NODE_VETH0/statistics/rx_bytes /sys/class/net/$NODE_VETH0/statistics/tx_bytes" |
        awk '{ s += $1 } END { printf "%.0f\n", s }'
}

# ------------------------------------------------------------ the tools
# tool_cmd TOOL DEST: the client command line, run in the node namespace.
tool_cmd() {
    local tool=$1 dst=$2 rcmd lcmd
    case $tool in
        rsync)
            printf '%q ' rsync -aHAXS --numeric-ids --delete --stats -e "$TOOL_RSH" "${RSYNC_EXCL[@]}" "root@$SRC_IP:/" "$dst/" ;;
        tar)
            rcmd="tar -C / --numeric-owner --xattrs --xattrs-include='*' --acls --sparse --anchored $(printf "'%s' " "${TAR_EXCL[@]}") -cf - ."
            lcmd="tar -C $(printf %q "$dst") --numeric-owner --xattrs --xattrs-include='*' --acls -xpf -"
            printf '%q ' bash -o pipefail -c "$TOOL_RSH root@$SRC_IP $(printf %q "$rcmd") | $lcmd" ;;
        p2vmigrate)
            printf '%q ' env "P2V_CONFIG=$RUN/p2v.conf" "$P2V_BUILD_DIR/bin/p2vmigrate" -e "$TOOL_RSH" -vv --json --force --no-convert "root@$SRC_IP" "$BENCH_CTID" ;;
    esac
}

# hwm_watch OUT: every 50 ms until killed, the peak RSS (VmHWM) of each
# of the client's own processes in the node namespace (rsync's generator
# and receiver, tar, p2vmigrate; not ssh, which every tool has), summed
# over processes, written to OUT. VmHWM only grows, so a process's last
# sample is its peak up to 50 ms before it ended.
hwm_watch() {
    local out=$1 p comm h s
    declare -A peak=()
    while :; do
        for p in $(ip netns pids "$NODE_NS" 2>/dev/null); do
            comm=$(cat "/proc/$p/comm" 2>/dev/null) || continue
            case $comm in rsync|tar|p2vmigrate) ;; *) continue ;; esac
            h=$(awk '$1 == "VmHWM:" { print $2 }' "/proc/$p/status" 2>/dev/null) || continue
            [ -n "$h" ] && peak[$p]=$h
        done
        s=0; for h in "${peak[@]}"; do s=$((s + h)); done
        echo "$s" >"$out.tmp" && mv "$out.tmp" "$out"
        sleep 0.05
    done
}

# run_tool SCEN TOOL [kill-at-bytes]: one measured run; results in $RUN/SCEN/TOOL.*
run_tool() {
    local scen=$1 tool=$2 killat=${3:-} out dst cmd w0 w1 c0 c1 rc pid used0
    out=$RUN/$scen/$tool
    mkdir -p "$RUN/$scen"
    dst=$(dest_of "$tool")
    cmd=$(tool_cmd "$tool" "$dst")
    echo "$cmd" >"$out.cmd"
    rm -f "$out.time" "$out.status"
    if [ "$tool" = p2vmigrate ] && [ ! -x "$P2V_BUILD_DIR/bin/p2vmigrate" ]; then
        echo "n/a (p2vmigrate: not built at $P2V_BUILD_DIR/bin/p2vmigrate)" >"$out.status"
        return 0
    fi
    sync -f "$DEST"
    w0=$(wire_bytes); c0=$(src_cpu_ns); used0=$(dest_used)
    if [ -z "$killat" ]; then
        hwm_watch "$out.hwm" &
        local watcher=$!
        set +e
        # shellcheck disable=SC2086
        ip netns exec "$NODE_NS" /usr/bin/time -f '%e %U %S %M' -o "$out.time" bash -c "$cmd" >"$out.log" 2>&1
        rc=$?
        set -e
        kill "$watcher" 2>/dev/null; wait "$watcher" 2>/dev/null || true
    else
        # The client in a session of its own, killed (SIGKILL, whole
        # session) when the destination holds KILLAT more bytes.
        setsid ip netns exec "$NODE_NS" bash -c "$cmd" >"$out.log" 2>&1 &
        pid=$!
        while kill -0 "$pid" 2>/dev/null; do
            if [ $(( $(dest_used) - used0 )) -ge "$killat" ]; then
                kill -KILL -- "-$pid" 2>/dev/null || true
                break
            fi
            sleep 0.2
        done
        wait "$pid" 2>/dev/null && rc=0 || rc=$?
    fi
    sync -f "$DEST"
    w1=$(wire_bytes); c1=$(src_cpu_ns)
    echo "$rc $((w1 - w0)) $((c1 - c0)) $(( $(dest_used) - used0 ))" >"$out.meter"
    if [ "$tool" = p2vmigrate ] && [ "$rc" != 0 ] && [ -z "$killat" ]; then
        local err
        err=$(grep -m1 'error' "$out.log" || true)
        [ -n "$err" ] || err=$(grep -v '^{' "$out.log" | grep -v '^[[:space:]]*$' | tail -n 1)
        err=${err#p2vmigrate: }
        [ -n "$err" ] || err=$(tail -n 1 "$out.log")
        echo "n/a (p2vmigrate: ${err:-exit $rc})" >"$out.status"
    fi
    return 0
}

# verify SCEN TOOL: manifest of the copy against the source's.
verify() {
    local scen=$1 tool=$2 out=$RUN/$1/$2 dst n
    dst=$(dest_of "$tool")
    if [ -f "$out.status" ] || [ ! -d "$dst" ]; then echo "-" >"$out.verify"; return 0; fi
    "$MANIFEST" "${MAN_EXCL[@]}" "$dst" >"$out.manifest" 2>"$out.manifest.err" || true
    if diff "$RUN/$scen/source.manifest" "$out.manifest" >"$out.diff"; then
        echo "identical" >"$out.verify"
    else
        n=$(grep '^[<>] ' "$out.diff" | cut -c3- | cut -d' ' -f1 | sort -u | wc -l)
        echo "$n entries differ" >"$out.verify"
    fi
}

source_manifest() { # SCEN
    mkdir -p "$RUN/$1"
    "$MANIFEST" "${MAN_EXCL[@]}" "$SRC_ROOT" >"$RUN/$1/source.manifest"
}

wipe() { # TOOL: remove its copy (and p2v's resume state)
    local dst
    dst=$(dest_of "$1")
    if [ -d "$dst" ]; then
        find "$dst" -xdev -type f -exec chattr -i -a -- {} + 2>/dev/null || true
        rm -rf --one-file-system "$dst"
    fi
    [ "$1" != p2vmigrate ] || rm -rf "${RUN:?}/state" "${RUN:?}/conf"
    mkdir -p "$RUN/state" "$RUN/conf"
    [ "$1" = p2vmigrate ] || mkdir -p "$dst"
}

# ------------------------------------------------------------ shaping
# With sch_netem: netem rate+delay on both veth ends. Without it (this
# CI's kernel has neither netem nor fq for BPF pacing): tbf for the rate
# on both ends and the delay from tests/tools/delayline, an ssh
# ProxyCommand that holds each direction's bytes for the one-way delay.
# The ssh channel's window per round trip, which is what caps one ssh
# stream on a long link, sees the full RTT either way.
NETEM_OK=0
if ip netns add "p2vbench$$probe" 2>/dev/null; then
    if ip netns exec "p2vbench$$probe" tc qdisc add dev lo root netem delay 1ms 2>/dev/null; then NETEM_OK=1; fi
    ip netns del "p2vbench$$probe"
fi
DELAYLINE=$P2V_BUILD_DIR/bin/delayline
TOOL_RSH=$RSH
shape() { # RATE DELAY_ONE_WAY_MS LIMIT | off
    local dev ns
    TOOL_RSH=$RSH
    for pair in "$NODE_NS $NODE_VETH0" "$SRC_NS eth0"; do
        ns=${pair% *}; dev=${pair#* }
        ip netns exec "$ns" tc qdisc del dev "$dev" root 2>/dev/null || true
        [ "$1" = off ] && continue
        if [ "$NETEM_OK" = 1 ]; then
            ip netns exec "$ns" tc qdisc add dev "$dev" root netem delay "${2}ms" rate "$1" limit "$3"
        else
            ip netns exec "$ns" tc qdisc add dev "$dev" root tbf rate "$1" burst 512kb latency 200ms
        fi
    done
    if [ "$1" != off ] && [ "$NETEM_OK" != 1 ] && [ "$BENCH_RATE_ONLY" != 1 ]; then
        printf 'ProxyCommand %s --delay-ms %s %%h %%p\n' "$DELAYLINE" "$2" >"$RUN/delay-ssh.conf"
        TOOL_RSH="$RSH -F $RUN/delay-ssh.conf"
    fi
}

# ------------------------------------------------------------ tables
fmt_s() { awk -v v="$1" 'BEGIN { printf "%.1f", v }'; }
fmt_mb() { awk -v v="$1" 'BEGIN { printf "%.1f", v / 1048576 }'; }
table() { # SCEN TITLE [resume]
    local scen=$1 title=$2 kind=${3:-} tool row
    local -a rows=("wall s" "node CPU s (user+sys)" "source CPU s" "wire MB (rx+tx)" "MB/s (source MiB / wall)" "node peak RSS MB" "client's own RSS MB" "exit status" "manifest vs source")
    [ "$kind" = resume ] && rows=("killed at (dest MB)" "wire MB before kill" "${rows[@]}" "re-sent % of pre-kill")
    {
        echo
        echo "== $title"
        printf '%-26s' "metric"; for tool in $BENCH_TOOLS; do printf '%-22s' "$tool"; done; echo
        for row in "${rows[@]}"; do
            printf '%-26s' "$row"
            for tool in $BENCH_TOOLS; do printf '%-21s ' "$(cell "$scen" "$tool" "$row")"; done
            echo
        done
        for tool in $BENCH_TOOLS; do
            [ -f "$RUN/$scen/$tool.status" ] && echo "   $tool: $(cat "$RUN/$scen/$tool.status")"
            [ -f "$RUN/$scen/$tool.diff" ] && [ -s "$RUN/$scen/$tool.diff" ] && echo "   $tool differences: $RUN/$scen/$tool.diff (first: $(grep -m1 '^[<>] ' "$RUN/$scen/$tool.diff" | cut -c1-120))"
        done
        true
    } | tee -a "$RESULTS"
}
cell() { # SCEN TOOL ROW
    local scen=$1 tool=$2 row=$3 f=$RUN/$1/$2 e u s m rc w c used
    if [ -f "$f.status" ]; then
        case $row in "wall s"|"killed at (dest MB)") cat "$f.status" ;; *) echo "n/a" ;; esac
        return
    fi
    [ -f "$f.meter" ] || { echo "-"; return; }
    read -r rc w c used <"$f.meter"
    e=- u=0 s=0 m=0
    [ -f "$f.time" ] && read -r e u s m < <(grep -E '^[0-9.]+ [0-9.]+ [0-9.]+ [0-9]+$' "$f.time" | tail -n 1)
    case $row in
        "wall s") echo "$e" ;;
        "node CPU s (user+sys)") awk -v a="$u" -v b="$s" 'BEGIN { printf "%.1f", a + b }' ;;
        "source CPU s") [ "$SRC_CPU_MODE" = none ] && echo "n/a" || awk -v v="$c" 'BEGIN { printf "%.1f", v / 1e9 }' ;;
        "wire MB (rx+tx)") fmt_mb "$w" ;;
        "MB/s (source MiB / wall)") awk -v b="$src_bytes" -v e="$e" 'BEGIN { if (e + 0 > 0) printf "%.1f", b / 1048576 / e; else print "-" }' ;;
        "node peak RSS MB") awk -v v="$m" 'BEGIN { printf "%.1f", v / 1024 }' ;;
        "client's own RSS MB") [ -s "$f.hwm" ] && awk -v v="$(cat "$f.hwm")" 'BEGIN { printf "%.1f", v / 1024 }' || echo "-" ;;
        "exit status") echo "$rc" ;;
        "manifest vs source") cat "$f.verify" 2>/dev/null || echo "-" ;;
        "killed at (dest MB)") [ -f "$f.kill.meter" ] && { read -r _ _ _ used <"$f.kill.meter"; fmt_mb "$used"; } || echo "-" ;;
        "wire MB before kill") [ -f "$f.kill.meter" ] && { read -r _ w _ _ <"$f.kill.meter"; fmt_mb "$w"; } || echo "-" ;;
        "re-sent % of pre-kill")
            # rerun wire - (full-copy wire - pre-kill wire), as % of pre-kill wire
            local full=$RUN/lan/$tool.meter kw fw
            if [ -f "$f.kill.meter" ] && [ -f "$full" ]; then
                read -r _ kw _ _ <"$f.kill.meter"; read -r _ fw _ _ <"$full"
                awk -v r="$w" -v k="$kw" -v f="$fw" 'BEGIN { x = r - (f - k); if (x < 0) x = 0; if (k > 0) printf "%.1f", 100 * x / k; else print "-" }'
            else echo "-"; fi ;;
    esac
}

# ------------------------------------------------------------ scenarios
log "warming the page cache with the source"
tar -C "$SRC_ROOT" -cf - . 2>/dev/null | cat >/dev/null
{
    echo "p2v benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -r), $(nproc) CPUs"
    echo "source: $src_entries entries, $((src_bytes / 1048576)) MiB apparent / $((src_alloc / 1048576)) MiB allocated (Debian root + make-tree --profile bench: P2V_TREE_FILES=$P2V_TREE_FILES P2V_TREE_BIG_MB=$P2V_TREE_BIG_MB x$P2V_TREE_BIG_COUNT P2V_TREE_SPARSE_MB=$P2V_TREE_SPARSE_MB)"
    echo "source CPU metering: $SRC_CPU_MODE; link: veth $NODE_VETH0 in $NODE_NS; destination: loop ext4"
} | tee -a "$RESULTS"

for scen in $BENCH_SCENARIOS; do
    case $scen in
        lan)
            log "scenario lan: full copy over the veth"
            source_manifest lan
            for tool in $BENCH_TOOLS; do wipe "$tool"; log "  $tool"; run_tool lan "$tool"; verify lan "$tool"; done
            table lan "Scenario 1: full copy, LAN (veth, no shaping)" ;;
        wan100|wan1g)
            if [ "$scen" = wan100 ]; then rate=100mbit; delay=25; limit=2000; title="100 Mbit/s, 50 ms RTT"
            else rate=1gbit; delay=20; limit=20000; title="1 Gbit/s, 40 ms RTT"; fi
            if [ "$NETEM_OK" != 1 ] && [ "$BENCH_RATE_ONLY" != 1 ] && [ ! -x "$DELAYLINE" ]; then
                echo | tee -a "$RESULTS" >/dev/null
                echo "== Scenario 2 ($title): skipped: no sch_netem on this kernel ($(uname -r)) and no $DELAYLINE to add the delay; build the tests, or set BENCH_RATE_ONLY=1 for a tbf rate limit without delay" | tee -a "$RESULTS"
                continue
            fi
            if [ "$NETEM_OK" != 1 ]; then
                if [ "$BENCH_RATE_ONLY" = 1 ]; then title="$rate rate only (tbf), NO added delay: sch_netem unavailable"
                else title="$title (tbf rate; delay by tests/tools/delayline as ssh ProxyCommand: no sch_netem)"; fi
            fi
            log "scenario $scen: full copy over $title"
            source_manifest "$scen"
            shape "$rate" "$delay" "$limit"
            for tool in $BENCH_TOOLS; do wipe "$tool"; log "  $tool"; run_tool "$scen" "$tool"; verify "$scen" "$tool"; done
            shape off
            table "$scen" "Scenario 2: full copy over $title" ;;
        sync)
            # Needs each tool's copy from the lan scenario.
            for tool in $BENCH_TOOLS; do
                [ -d "$(dest_of "$tool")" ] && [ -f "$RUN/lan/$tool.meter" ] || { wipe "$tool"; run_tool lan "$tool"; }
            done
            log "scenario sync: mutating the source"
            "$HERE/mutate.sh" "$SRC_ROOT/srv/bench" | tee -a "$RESULTS"
            source_manifest sync
            for tool in $BENCH_TOOLS; do log "  $tool"; run_tool sync "$tool"; verify sync "$tool"; done
            table sync "Scenario 3: final sync after edits/adds/deletes/touches (tar re-sends everything and deletes nothing)" ;;
        resume)
            source_manifest resume
            for tool in $BENCH_TOOLS; do
                full=$RUN/lan/$tool.meter
                if [ -f "$full" ]; then read -r _ _ _ fullused <"$full"; else fullused=$src_alloc; fi
                wipe "$tool"; log "  $tool: killed at about half ($((fullused / 2097152)) MB)"
                run_tool resume "$tool" $((fullused / 2))
                [ -f "$RUN/resume/$tool.meter" ] && mv "$RUN/resume/$tool.meter" "$RUN/resume/$tool.kill.meter"
                mv "$RUN/resume/$tool.log" "$RUN/resume/$tool.kill.log" 2>/dev/null || true
                if [ ! -f "$RUN/resume/$tool.status" ]; then
                    log "  $tool: rerun"
                    run_tool resume "$tool"; verify resume "$tool"
                fi
            done
            table resume "Scenario 4: resume after the client was killed (SIGKILL) at about half; figures are for the rerun" resume ;;
        *) die "unknown scenario '$scen' (lan sync wan100 wan1g resume)" ;;
    esac
done

{
    echo
    echo "total $(( $(date +%s) - t0 )) s. Output files: $RUN (results.txt, SCENARIO/TOOL.{cmd,log,time,meter,manifest,diff})"
} | tee -a "$RESULTS"
