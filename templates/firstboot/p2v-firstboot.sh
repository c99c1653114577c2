#!/bin/sh
# p2v-firstboot: runs once, inside the container, at its first start after
# p2vmigrate converted it. Installed by p2vmigrate as /etc/p2v/p2v-firstboot.
#
#  1. /etc/p2v/p2v.configure (the node's VZ_CONF_DIR/p2v.configure), if any:
#     exit 0   = it configured the container: the default steps are skipped;
#     exit 128 = do the default steps as if it did not exist;
#     other    = the first boot fails, naming the script (run again at the
#                next start until it succeeds).
#  2. default: the quota limits of the partition chosen with
#     --quota-partition, from /etc/p2v/quota.user and /etc/p2v/quota.group
#     (lines: ID BLOCK-SOFT BLOCK-HARD INODE-SOFT INODE-HARD, blocks of
#     1 KiB), applied to / with setquota.
# When everything succeeded it writes /etc/p2v/firstboot.done and never
# runs again. Its output goes to /var/log/p2v-firstboot.log.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
DIR=/etc/p2v
LOG=/var/log/p2v-firstboot.log
[ -e "$DIR/firstboot.done" ] && exit 0

log() { echo "p2v-firstboot: $*"; echo "$(date '+%Y-%m-%d %H:%M:%S') $*" >>"$LOG" 2>/dev/null; }

apply_quotas() {
    kind=$1 file=$DIR/quota.$1 flag=-u
    [ "$kind" = group ] && flag=-g
    [ -s "$file" ] || return 0
    if ! command -v setquota >/dev/null 2>&1; then
        log "setquota is not installed: the $kind quotas in $file were not applied (install quota, then run $DIR/p2v-firstboot)"
        return 1
    fi
    failed=0
    while read -r id bs bh is ih; do
        case $id in ''|\#*) continue ;; esac
        if ! setquota "$flag" "$id" "$bs" "$bh" "$is" "$ih" / >>"$LOG" 2>&1; then
            log "setquota $flag $id failed"
            failed=1
        fi
    done <"$file"
    [ "$failed" = 0 ] && log "$kind quotas applied from $file"
    return "$failed"
}

defaults=yes
if [ -e "$DIR/p2v.configure" ]; then
    "$DIR/p2v.configure" >>"$LOG" 2>&1
    rc=$?
    case $rc in
        0) log "p2v.configure configured the container"; defaults=no ;;
        128) log "p2v.configure asked for the default steps" ;;
        *) log "p2v.configure failed (exit $rc): see $LOG; it runs again at the next start"
           exit 1 ;;
    esac
fi
if [ "$defaults" = yes ]; then
    apply_quotas user || exit 1
    apply_quotas group || exit 1
fi
: >"$DIR/firstboot.done"
log "first boot done"
exit 0
