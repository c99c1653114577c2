#!/bin/bash
# wine-rsh.sh: a remote shell for `p2vmigrate -e` that stands for a Windows
# server: it ignores HOST and starts the agent named by --agent PATH under
# wine on this machine (WINEPREFIX from the environment).
#
# p2vmigrate runs `RSH HOST "sh -c 'BOOTSTRAP'"`; with --agent the
# bootstrap is `echo "P2VBOOT 1 <arch> -"; exec 'PATH' --serve [...]`.
# A Windows server has no sh, so this does what the bootstrap would: print
# the marker and run PATH with its options, through wine.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: wine-rsh.sh HOST COMMAND" >&2; exit 2; }
WINE64=${WINE64:-/usr/lib/wine/wine64}
eval "set -- $2"          # the remote command's words: sh -c SCRIPT
[ "${1:-}" = sh ] && [ "${2:-}" = -c ] || { echo "wine-rsh: unexpected command: $*" >&2; exit 2; }
script=$3
case $script in
*"exec "*) ;;
*) echo "wine-rsh: no agent to run (use --agent PATH/p2v-agent.exe)" >&2; exit 2 ;;
esac
eval "set -- ${script##*exec }"   # PATH --serve [--protocol N]
echo "P2VBOOT 1 x86_64 -"
export WINEDEBUG=${WINEDEBUG:--all}
exec "$WINE64" "$@"
