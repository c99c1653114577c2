#!/bin/bash
# make-tree.sh DIR [--profile fidelity|server|bench] [--seed S]
#
# Create a deterministic test tree in DIR (created if missing; must be empty).
# Same profile, seed and knobs give the same tree (same manifest from
# tests/tools/tree-manifest.sh): file contents come from AES-CTR keyed by the
# seed and the file's name (openssl), or from a fixed LCG (awk); every mtime
# is set explicitly.
#
# Profiles
#   fidelity  every kind of entry a server has, small (about 2 MB of data,
#             64 MiB apparent in one sparse file). Needs root and a
#             filesystem with xattrs, ACLs, file capabilities and chattr
#             flags (ext4/xfs, not tmpfs): see the layout below.
#   server    shaped like a server's data set: mail spool (Maildir), web
#             docroot, a source tree and a hard-linked backup snapshot of it,
#             a few big files and a sparse VM image; xattrs and ACLs on some.
#   bench     the server shape, bigger (for bench/bench.sh).
#
# Knobs for server/bench (environment):
#   P2V_TREE_FILES      small files             (server 6000,  bench 20000)
#   P2V_TREE_BIG_MB     size of each big file   (server 16,    bench 256)
#                       (real servers: 100..1024)
#   P2V_TREE_BIG_COUNT  number of big files     (3)
#   P2V_TREE_SPARSE_MB  apparent size of the sparse VM image (server 256,
#                       bench 1024); about 3% of it holds data
#
# Fidelity layout (paths relative to DIR):
#   files/      empty, one-byte, 4095, 4096, 1MiB+1 byte regular files
#   dirs/       empty dirs, a 20-level-deep chain
#   links/      symlinks: relative, absolute outside (/etc/passwd,
#               /nonexistent), ../../.. chains above the tree, dangling,
#               to a directory
#   hard/       hard links: same dir, across dirs (3 names)
#   special/    char device (1,3), block device (7,200), FIFO, UNIX socket
#               (made with socat, else python3; skipped with a warning if
#               neither is installed)
#   modes/      setuid, setgid, sticky, 0000, odd modes
#   owners/     numeric uid 12345 / gid 54321 without passwd entries
#   times/      mtimes with nanoseconds, old and future times
#   sparse/     64 MiB file with 3 data islands; a file ending in a hole
#   xattr/      user.* and trusted.* xattrs, binary values, empty value
#   acl/        access ACLs, a directory with access + default ACLs
#   caps/       file capability cap_net_raw+ep
#   flags/      immutable (chattr +i) and append-only (chattr +a) files
#               (set last; `chattr -i -a` them before deleting the tree)
#   names/      newline, tab, \xff\xfe, leading '-', spaces, a 255-byte
#               name, and a path of about 4000 bytes under names/long/
set -euo pipefail

usage() { echo "usage: make-tree.sh DIR [--profile fidelity|server|bench] [--seed S]" >&2; exit 2; }
die() { echo "make-tree: $*" >&2; exit 1; }
warn() { echo "make-tree: $*" >&2; }

[ $# -ge 1 ] || usage
DIR=$1; shift
PROFILE=fidelity
SEED=p2v-tree-1
while [ $# -gt 0 ]; do
    case $1 in
        --profile) [ $# -ge 2 ] || usage; PROFILE=$2; shift 2 ;;
        --profile=*) PROFILE=${1#--profile=}; shift ;;
        --seed) [ $# -ge 2 ] || usage; SEED=$2; shift 2 ;;
        --seed=*) SEED=${1#--seed=}; shift ;;
        *) usage ;;
    esac
done
case $PROFILE in fidelity|server|bench) ;; *) usage ;; esac
[ "$(id -u)" = 0 ] || die "must run as root (devices, owners, trusted.* xattrs, capabilities, chattr)"
for t in openssl setfattr setfacl setcap chattr mknod mkfifo awk sha256sum truncate dd; do
    command -v "$t" >/dev/null 2>&1 || die "missing tool '$t' (packages: openssl attr acl libcap2-bin e2fsprogs coreutils)"
done
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd -P)
[ -z "$(ls -A "$DIR")" ] || die "$DIR is not empty"
export LC_ALL=C
umask 022

# rnd NAME BYTES: deterministic pseudo-random bytes for NAME on stdout.
rnd() {
    local key
    key=$(printf '%s:%s' "$SEED" "$1" | sha256sum | cut -c1-32)
    head -c "$2" /dev/zero | openssl enc -aes-128-ctr -nosalt -K "$key" -iv 00000000000000000000000000000000
}
# put PATH BYTES: a file of BYTES deterministic bytes.
put() { rnd "$1" "$2" >"$1"; }   # cwd is DIR (paths may be too long for $DIR/...)
# island PATH OFFSET BYTES: write deterministic data at OFFSET (no truncation).
island() {
    rnd "$1@$2" "$3" | dd of="$1" bs=64K seek="$2" oflag=seek_bytes conv=notrunc status=none
}
# stamp EPOCH PATH...: set mtime (and atime) without following symlinks.
stamp() { local t=$1; shift; touch -h -d "@$t" -- "$@"; }
BASE=1000000000   # 2001-09-09: every entry starts with a fixed time

# ------------------------------------------------------------ fidelity
make_fidelity() {
    cd "$DIR"
    mkdir files dirs links hard hard/sub hard/other special modes owners times \
          sparse xattr acl caps flags names
    # Regular files of edge sizes.
    : >files/empty
    put files/one 1
    put files/size-4095 4095
    put files/size-4096 4096
    put files/size-1MiB+1 $((1024 * 1024 + 1))
    put files/text 300

    # Directories: empty ones, one 20 levels deep.
    mkdir -p dirs/empty dirs/empty2/empty-inner
    local deep=dirs/deep i
    for i in $(seq 1 20); do deep=$deep/d$i; done
    mkdir -p "$deep"
    put "$deep/bottom" 100

    # Symlinks.
    ln -s ../files/one links/relative
    ln -s /etc/passwd links/abs-passwd
    ln -s /nonexistent links/abs-nonexistent
    ln -s ../../.. links/climb
    ln -s ../../../../../../../../etc/shadow links/climb-shadow
    ln -s ../files/../../../outside links/climb-mixed
    ln -s no-such-target links/dangling
    ln -s ../dirs/deep links/to-dir
    ln -s . links/self-dir
    ln -s "$(printf 'target with\nnewline')" links/odd-target

    # Hard links: 2 names in one dir, 3 names across dirs.
    put hard/a 5000
    ln hard/a hard/a-same-dir
    put hard/three 777
    ln hard/three hard/sub/three-2
    ln hard/three hard/other/three-3
    put hard/single 10

    # Special files.
    mknod special/null c 1 3
    mknod special/loop200 b 7 200
    chmod 0660 special/loop200
    mkfifo special/fifo
    chmod 0640 special/fifo
    make_socket special/socket

    # Modes.
    put modes/setuid 64; chmod 4755 modes/setuid
    put modes/setgid 64; chmod 2755 modes/setgid
    put modes/setuid-setgid 64; chmod 6711 modes/setuid-setgid
    mkdir modes/setgid-dir; chmod 2775 modes/setgid-dir
    mkdir modes/sticky-dir; chmod 1777 modes/sticky-dir
    mkdir modes/sticky-setgid-dir; chmod 3770 modes/sticky-setgid-dir
    put modes/none 8; chmod 0000 modes/none
    put modes/odd 8; chmod 0407 modes/odd
    mkdir modes/dir-0700; chmod 0700 modes/dir-0700

    # Numeric owners with no passwd entries.
    put owners/file 32
    chown 12345:54321 owners/file
    mkdir owners/dir
    chown 12345:54321 owners/dir
    ln -s file owners/link
    chown -h 12345:54321 owners/link
    put owners/setgid-owned 16
    chown 0:54321 owners/setgid-owned
    chmod 2750 owners/setgid-owned
    mknod owners/fifo p
    chown 54321:12345 owners/fifo

    # Sparse files: 64 MiB with 3 islands; one with a hole at the end.
    truncate -s 64M sparse/vm.img
    island sparse/vm.img 0 4096
    island sparse/vm.img $((30 * 1024 * 1024 + 512)) 10000
    island sparse/vm.img $((64 * 1024 * 1024 - 8192)) 8192
    put sparse/tail-hole 4096
    truncate -s 8M sparse/tail-hole

    # Extended attributes.
    put xattr/file 100
    setfattr -n user.text -v 'hello world' xattr/file
    setfattr -n user.binary -v 0x00ff10fe7f80000a xattr/file
    setfattr -n user.empty xattr/file
    setfattr -n trusted.p2v -v 0xdeadbeef00 xattr/file
    mkdir xattr/dir
    setfattr -n user.on-dir -v dir-value xattr/dir
    setfattr -n trusted.on-dir -v 0x01 xattr/dir
    put xattr/big-value 10
    setfattr -n user.big -v "0x$(rnd xattr-big 1000 | od -An -v -tx1 | tr -d ' \n')" xattr/big-value
    ln -s file xattr/link
    setfattr -h -n trusted.on-symlink -v 0x42 xattr/link

    # POSIX ACLs.
    put acl/file 50
    setfacl -m u:1000:rwx,u:12345:r--,g:54321:rw- acl/file
    mkdir acl/dir
    put acl/dir/before-default 10
    setfacl -m u:1000:rwx acl/dir
    setfacl -d -m u:1000:rwx,g:54321:r-x acl/dir
    mkdir acl/default-only
    setfacl -d -m u:12345:rw acl/default-only

    # File capabilities (setcap clears on chown: owners are set above).
    put caps/ping 200
    chmod 0755 caps/ping
    setcap cap_net_raw+ep caps/ping
    put caps/multi 200
    chmod 0750 caps/multi
    setcap cap_net_bind_service,cap_sys_time+eip caps/multi

    # Names.
    put "names/$(printf 'new\nline')" 3
    put "names/$(printf 'tab\there')" 3
    put "names/$(printf 'bad\xff\xfeutf8')" 3
    put names/-leading-dash 3
    put "names/with  spaces " 3
    put "names/$(printf 'ctrl\001\033x')" 3
    put 'names/back\slash' 3
    put 'names/quote'"'"'"' 3
    put "names/$(printf 'utf8-\xc3\xa9\xe2\x82\xac')" 3
    local n255
    n255=$(printf 'n%.0s' $(seq 1 255))
    put "names/$n255" 3
    mkdir "names/$(printf 'dir\nwith-newline')"
    put "names/$(printf 'dir\nwith-newline')/inside" 3
    # A path of about 4000 bytes below DIR: 15 levels of 250-byte names.
    local long=names/long seg
    for i in $(seq -w 1 15); do
        seg=$(printf "L${i}%.0s" $(seq 1 83)); seg=${seg:0:250}
        long=$long/$seg
    done
    mkdir -p "$long"
    local leaf=$((3990 - ${#long} - 1))
    put "$long/$(printf 'f%.0s' $(seq 1 "$leaf"))" 10

    # Flags (applied after the times below).
    put flags/immutable 20
    put flags/append-only 20
    put flags/plain 20

    # Times: everything gets a fixed base time (per top-level dir), then the
    # special ones; directories last so entry creation does not move them.
    local top k=0
    for top in files dirs links hard special modes owners times sparse xattr acl caps flags names; do
        k=$((k + 1))
        find "$top" -exec touch -h -d "@$((BASE + k * 86400))" -- {} +
    done
    put times/ns 10
    touch -h -d '2001-02-03 04:05:06.123456789' times/ns
    put times/epoch 10;  touch -h -d '@0' times/epoch
    put times/old 10;    touch -h -d '1970-01-02 00:00:00.000000001' times/old
    put times/future 10; touch -h -d '2099-12-31 23:59:59.999999999' times/future
    put times/2038 10;   touch -h -d '@2147483648.5' times/2038
    ln -s ns times/link-ns
    touch -h -d '2002-03-04 05:06:07.987654321' times/link-ns
    mkdir times/dir-ns
    touch -h -d '2003-04-05 06:07:08.000000042' times/dir-ns
    touch -h -d '2004-05-06 07:08:09.111111111' times
    touch -h -d '2005-06-07 08:09:10.222222222' special/fifo
    # Directory times, deepest first (all but times/ and times/dir-ns).
    find . -depth -type d ! -path ./times ! -path ./times/dir-ns -exec touch -h -d "@$((BASE + 5))" -- {} +

    chattr +i flags/immutable || die "chattr +i failed: put the tree on ext4 or xfs (not tmpfs/overlay)"
    chattr +a flags/append-only || die "chattr +a failed"
}

make_socket() { # PATH (relative to DIR, cwd is DIR)
    local p=$1 pid i
    if command -v socat >/dev/null 2>&1; then
        socat "UNIX-LISTEN:$p,unlink-close=0" /dev/null &
        pid=$!
        for i in $(seq 1 50); do [ -S "$p" ] && break; sleep 0.1; done
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    elif command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$p"
    else
        warn "no socat or python3: no UNIX socket in the tree (apt-get install socat)"
        return 0
    fi
    [ -S "$p" ] || die "could not create a UNIX socket at $p"
    chmod 0755 "$p"
}

# ------------------------------------------------------------ server/bench
make_server() {
    local files big_mb big_count sparse_mb
    if [ "$PROFILE" = bench ]; then
        files=${P2V_TREE_FILES:-20000}; big_mb=${P2V_TREE_BIG_MB:-256}; sparse_mb=${P2V_TREE_SPARSE_MB:-1024}
    else
        files=${P2V_TREE_FILES:-6000}; big_mb=${P2V_TREE_BIG_MB:-16}; sparse_mb=${P2V_TREE_SPARSE_MB:-256}
    fi
    big_count=${P2V_TREE_BIG_COUNT:-3}
    cd "$DIR"
    local plan=$DIR/.plan
    # The plan: "d PATH" directories, "f PATH SIZE KIND" files, "l TARGET PATH"
    # symlinks, "o UID:GID PATH" owners. Shares: mail 40%, www 30%, src 30%.
    awk -v n="$files" -v seed="$(printf '%s' "$SEED" | cksum | cut -d' ' -f1)" '
    function r(m) { x = (x * 16807) % 2147483647; return x % m }
    BEGIN {
        x = seed % 2147483646 + 1
        nmail = int(n * 0.4); nwww = int(n * 0.3); nsrc = n - nmail - nwww
        users = int(nmail / 150) + 1
        for (u = 0; u < users; u++) {
            d = sprintf("var/mail/u%04d/Maildir", u)
            print "d " d "/cur"; print "d " d "/new"; print "d " d "/tmp"
            print "o " (2000 + u) ":" (2000 + u) " var/mail/" sprintf("u%04d", u)
        }
        for (i = 0; i < nmail; i++) {
            u = r(users); sub_ = (r(10) < 8) ? "cur" : "new"
            t = 1600000000 + r(90000000)
            sz = 800 + r(6000) + ((r(20) == 0) ? r(200000) : 0)
            printf "f var/mail/u%04d/Maildir/%s/%d.M%dP%d.mail.example.test,S=%d:2,S %d mail\n", u, sub_, t, r(999999), r(65535), sz, sz
        }
        sites = int(nwww / 400) + 1
        for (s = 0; s < sites; s++) {
            for (k = 0; k < 8; k++) printf "d var/www/site%02d/htdocs/section%d/assets\n", s, k
            printf "d var/www/site%02d/logs\n", s
            printf "l ../htdocs/section0 var/www/site%02d/logs/current\n", s
        }
        split("html css js png jpg php txt", ext, " ")
        for (i = 0; i < nwww; i++) {
            s = r(sites); k = r(8); e = ext[1 + r(7)]
            sz = (e == "png" || e == "jpg") ? 2000 + r(120000) : 300 + r(30000)
            dir = (e == "png" || e == "jpg" || e == "css" || e == "js") ? "/assets" : ""
            printf "f var/www/site%02d/htdocs/section%d%s/page%05d.%s %d %s\n", s, k, dir, i, e, sz, (e == "png" || e == "jpg") ? "bin" : "www"
        }
        mods = int(nsrc / 60) + 1
        for (m = 0; m < mods; m++) { printf "d srv/src/project/module%03d/include\n", m; printf "d srv/src/project/module%03d/src\n", m }
        for (i = 0; i < nsrc; i++) {
            m = r(mods); h = (r(4) == 0)
            printf "f srv/src/project/module%03d/%s/file%05d.%s %d src\n", m, h ? "include" : "src", i, h ? "h" : "c", 200 + r(20000)
        }
        for (m = 0; m < mods; m += 7) printf "l ../module%03d/include srv/src/project/module%03d/src/peer-include\n", (m + 1) % mods, m
        print "d srv/db"; print "d srv/vm"; print "d srv/backup"
    }' >"$plan"

    grep '^d ' "$plan" | cut -c3- | xargs -d '\n' mkdir -p

    # Small files, one awk: text from a pool of pseudo-random lines; "bin"
    # files get pseudo-random bytes (no NUL).
    awk -v seed="$(printf '%s' "$SEED" | cksum | cut -d' ' -f1)" '
    function r(m) { x = (x * 16807) % 2147483647; return x % m }
    BEGIN {
        x = seed % 2147483646 + 7
        nw = split("the of and to in is for on that with as by this be from at or an are it not we can data server mail web user file root host node copy sync delta block inode link time size mode owner group value error return static int char void struct include define if else while for break const unsigned long buffer length offset", W, " ")
        for (i = 0; i < 4096; i++) {
            l = ""; k = 3 + r(12)
            for (j = 0; j < k; j++) l = l (j ? " " : "") W[1 + r(nw)]
            L[i] = l "\n"
        }
        for (i = 1; i < 256; i++) C[i] = sprintf("%c", i)
        # 256 KiB of pseudo-random bytes (no NUL); "bin" files are slices.
        P = ""; for (i = 0; i < 1024; i++) P = P C[1 + r(255)]
        Q = P; for (i = 0; i < 256; i++) { Q = Q substr(P, 1 + r(1024)) substr(P, 1, 1 + r(1023)) }
        P = substr(Q, 1, 262144); Q = ""
    }
    $1 == "f" {
        path = $2; sz = $3 + 0; kind = $4; left = sz
        if (kind == "bin") {
            while (left > 0) { k = (left > 100000) ? 100000 : left; printf "%s", substr(P, 1 + r(262144 - k), k) > path; left -= k }
        } else {
            if (kind == "mail") { h = "From: user" r(1000) "@example.test\nSubject: message " r(100000) "\n\n"; if (length(h) > left) h = substr(h, 1, left); printf "%s", h > path; left -= length(h) }
            while (left > 0) {
                l = L[r(4096)]
                if (length(l) > left) l = substr(l, 1, left)
                printf "%s", l > path; left -= length(l)
            }
        }
        if (sz == 0) printf "" > path
        close(path)
    }' "$plan"

    # Symlinks and owners.
    grep '^l ' "$plan" | while read -r _ target path; do ln -s "$target" "$path"; done
    grep '^o ' "$plan" | while read -r _ owner path; do chown -R "$owner" "$path"; done
    chmod 1777 var/mail 2>/dev/null || true

    # A hard-linked backup snapshot of the source tree (cp -al), and a few
    # hard links inside the docroot.
    cp -al srv/src/project srv/backup/project.0
    local f k=0
    find var/www -name '*.php' | sort | awk 'NR <= 50' | while read -r f; do
        k=$((k + 1)); ln "$f" "${f%.php}.inc"
    done

    # Big files (databases, archives) and a sparse VM image.
    for k in $(seq 1 "$big_count"); do
        put "srv/db/table$k.ibd" $((big_mb * 1024 * 1024))
    done
    truncate -s "${sparse_mb}M" srv/vm/disk.img
    local chunk=$((sparse_mb * 1024 * 1024 / 32)) off
    for k in $(seq 0 31); do
        off=$((k * chunk))
        island srv/vm/disk.img "$off" $((chunk / 32 + 4096))
    done

    # xattrs and ACLs on some.
    find var/www -name '*.png' | sort | awk 'NR <= 200' | xargs -d '\n' -r setfattr -n user.mime_type -v image/png
    find srv/src -name '*.c' | sort | awk 'NR <= 100' | xargs -d '\n' -r setfattr -n user.checksum -v 0x0123456789abcdef
    find var/mail -maxdepth 1 -name 'u00*' | sort | xargs -d '\n' -r setfacl -m u:33:rx -m d:u:33:rx
    setfacl -R -m g:33:rwX var/www/site00/logs 2>/dev/null || true
    setfattr -n trusted.md5 -v 0x00112233 srv/db/table1.ibd
    cp "$(command -v true)" srv/src/helper 2>/dev/null || put srv/src/helper 4096
    chmod 0755 srv/src/helper
    setcap cap_net_bind_service+ep srv/src/helper

    rm -f "$plan"
    # Spread mtimes per directory (one touch per directory keeps it fast).
    find . -type d | sort | awk -v b="$BASE" '{ printf "%d\t%s\n", b + (NR * 7919) % 40000000, $0 }' |
        while IFS=$'\t' read -r t d; do
            find "$d" -maxdepth 1 ! -type d -print0 | xargs -0 -r touch -h -d "@$t" --
        done
    find . -depth -type d -exec touch -h -d "@$((BASE + 99))" -- {} +
}

case $PROFILE in
    fidelity) make_fidelity ;;
    server|bench) make_server ;;
esac
echo "make-tree: $PROFILE tree in $DIR ($(du -sh --apparent-size "$DIR" | cut -f1) apparent, $(du -sh "$DIR" | cut -f1) allocated)" >&2
