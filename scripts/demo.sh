#!/bin/sh
# demo.sh: install what is missing, build p2v, boot a simulated physical
# server (a debootstrapped Debian in its own network namespace, with sshd,
# two interfaces, extra ext4/xfs partitions, a raw device, SELinux
# configured, a MAC-bound licence) and run the dry run against it over
# real ssh. Everything made is removed at the end.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh"
"$top/scripts/build.sh" "$top/build"
exec bash "$top/tests/integration/demo.sh" "$top/build"
