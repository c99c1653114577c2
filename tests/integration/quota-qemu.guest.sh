# quota-qemu.guest.sh: the guest half of quota-qemu.sh (runs under
# tests/hosts/qemu/run-guest.sh; disks: vda ext4, vdb ext4, vdc xfs).
#   /mnt/v1  ext4, usrquota,grpquota, vfsv1 files made by quotacheck
#   /mnt/j0  ext4, journaled quota usrjquota=aquota.user,grpjquota=aquota.group,jqfmt=vfsv0
#   /mnt/x   xfs, uquota,gquota,pquota
# Limits: user 1001 1000/2000 KiB 10/20 inodes, user 1002 5000/6000 50/60,
# group 100 3000/4000 30/40, and on xfs project 42 700/800 7/8. Each
# filesystem gets one 12 KiB file owned by 1001:100.
# Leaves in $P2V_OUT: facts-on.json (quotas on), facts-off.json (ext4 quotas
# off, xfs still on) and copies of the ext4 quota files.
set -e
mkdir -p /mnt/v1 /mnt/j0 /mnt/x
mount -t ext4 -o usrquota,grpquota /dev/vda /mnt/v1
mount -t ext4 -o usrjquota=aquota.user,grpjquota=aquota.group,jqfmt=vfsv0 /dev/vdb /mnt/j0
mount -t xfs -o uquota,gquota,pquota /dev/vdc /mnt/x
for m in /mnt/v1 /mnt/j0 /mnt/x; do
    dd if=/dev/zero of=$m/f1001 bs=4096 count=3 2>/dev/null
    chown 1001:100 $m/f1001
done
sync
quotacheck -cug -F vfsv1 /mnt/v1
quotacheck -cug -F vfsv0 /mnt/j0
quotaon -ug -F vfsv1 /mnt/v1
quotaon -ug -F vfsv0 /mnt/j0
for m in /mnt/v1 /mnt/j0 /mnt/x; do
    setquota -u 1001 1000 2000 10 20 $m
    setquota -u 1002 5000 6000 50 60 $m
    setquota -g 100 3000 4000 30 40 $m
done
setquota -P 42 700 800 7 8 /mnt/x
setquota -t -u 86400 3600 /mnt/v1
sync
echo "== repquota (kernel)"
repquota -n -u -g /mnt/v1 /mnt/j0 /mnt/x 2>&1 | grep -E '^#|Report'
p2v-agent --facts --no-scan >$P2V_OUT/facts-on.json
quotaoff -ug /mnt/v1 /mnt/j0
p2v-agent --facts --no-scan >$P2V_OUT/facts-off.json
for m in v1 j0; do
    mkdir -p $P2V_OUT/$m
    cp /mnt/$m/aquota.user /mnt/$m/aquota.group $P2V_OUT/$m/
done
umount /mnt/v1 /mnt/j0 /mnt/x
echo "guest: done"
