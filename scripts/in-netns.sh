#!/bin/sh
# Runs a command in a private network namespace that has only a loopback interface
# (127.0.0.1/8 plus 10.250.0.1/32 for peers such as baresip that refuse 127.0.0.1 for media),
# and in a private PID namespace, so every process the command leaves behind dies with it.
# Test traffic therefore cannot reach any interface of the machine. Ports the kernel picks (a bind to port 0, an
# outgoing connection) come from 46000-60999 there, clear of the fixed ports tests give their peers (baresip's RTP
# from 20000, rtpengine's ranges in 40000-45599), so that the two never take each other's port.
# usage: scripts/in-netns.sh <command> [args...]
set -e
if [ "${CALLFLOW_NETNS:-}" = "1" ]; then exec "$@"; fi
if [ "$(id -u)" = "0" ]; then userns=""; else userns="--user --map-root-user"; fi
export CALLFLOW_NETNS=1
# shellcheck disable=SC2086
exec unshare $userns --net --pid --fork --kill-child --mount-proc -- \
  sh -c 'ip link set lo up && ip addr add 10.250.0.1/32 dev lo &&
    { echo "46000 60999" > /proc/sys/net/ipv4/ip_local_port_range; } 2>/dev/null; exec "$@"' netns "$@"
