# quota-firstboot.guest.sh: the guest half of quota-firstboot.sh. vda is an
# ext4 filesystem holding a converted private area (etc/p2v from
# p2vmigrate's conversion). It is mounted with user and group quota, as the
# container's root with QUOTAUGIDLIMIT is on an OpenVZ node, and the
# container's first-boot step runs chrooted into it: its setquota calls must
# put the source's limits in force. Leaves repquota's report in $P2V_OUT.
set -e
ct=/mnt/ct
mkdir -p $ct
mount -t ext4 -o usrquota,grpquota /dev/vda $ct
quotacheck -cug -F vfsv1 $ct
quotaon -ug -F vfsv1 $ct
# the container's userland: the guest's busybox, quota tools and libraries;
# /dev holds the block device, as vzctl puts /dev/simfs in a container with
# QUOTAUGIDLIMIT
for d in bin sbin usr lib lib64 dev; do
    [ -d /$d ] || continue
    mkdir -p $ct/$d
    mount --bind /$d $ct/$d
done
mkdir -p $ct/proc $ct/var/log
mount -t proc proc $ct/proc
rc=0
chroot $ct /etc/p2v/p2v-firstboot || rc=$?
echo "guest: p2v-firstboot exit $rc"
cp $ct/var/log/p2v-firstboot.log $P2V_OUT/ 2>/dev/null || true
[ -e $ct/etc/p2v/firstboot.done ] && touch $P2V_OUT/done
repquota -v -n -u -g $ct >$P2V_OUT/repquota 2>&1 || true
umount $ct/proc
for d in bin sbin usr lib lib64 dev; do umount $ct/$d 2>/dev/null || true; done
quotaoff -ug $ct
umount $ct
echo "guest: done"
