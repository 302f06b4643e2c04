#!/bin/sh
# Entry point of the coturn image (deploy/coturn/Dockerfile, compose.yaml's `coturn`; decision 0014 §5).
# Fills this folder's turnserver.conf into TURN_CONFIG_DIR as video/turn.py's render_config does
# (tests/infra/test_compose.py compares the two), then runs turnserver on that file alone.
#
#   VIDEO_TURN_SECRET  required: static-auth-secret, the same as the hub's (it mints the credentials)
#   VIDEO_PUBLIC_IP    required: the host's address the participants reach. coturn listens and
#                      relays on it, and it is the one private-range peer allowed back (Janus's media
#                      ports, published on the host's address)
#   TURN_REALM         the realm (default hdnd)
#   TURN_PORT          the listening port, UDP and TCP (default 3478)
#   TURN_RELAY_PORTS   the UDP range of the relayed allocations, low-high (default 49160-49200)
#   TURN_CONFIG_DIR    where the filled file, the pid file and the (unused) user database go
# Arguments are passed on to turnserver.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
: "${VIDEO_TURN_SECRET:?VIDEO_TURN_SECRET is required (docs/video.md, TURN)}"
: "${VIDEO_PUBLIC_IP:?VIDEO_PUBLIC_IP is required: the host address coturn listens on (docs/deploy.md, Remote video)}"
: "${TURN_CONFIG_DIR:?TURN_CONFIG_DIR: the folder to write the configuration into}"
relay=${TURN_RELAY_PORTS:-49160-49200}

one_line() {
    case "$2" in
        *"
"*|"") echo "coturn: $1 must be one non-empty line" >&2; exit 2 ;;
    esac
}
one_line VIDEO_TURN_SECRET "$VIDEO_TURN_SECRET"
one_line TURN_REALM "${TURN_REALM:-hdnd}"
case "$VIDEO_PUBLIC_IP" in
    *[!0-9A-Fa-f.:]*) echo "coturn: VIDEO_PUBLIC_IP must be an IP address" >&2; exit 2 ;;
esac

# The template's placeholders, valued as render_config values them.
export listening_ip="$VIDEO_PUBLIC_IP" listening_port="${TURN_PORT:-3478}" \
       min_port="${relay%-*}" max_port="${relay#*-}" secret="$VIDEO_TURN_SECRET" realm="${TURN_REALM:-hdnd}" \
       user_quota=12 total_quota=1200 \
       external_ip="# (not behind NAT: no external-ip)" \
       allowed_peer_ip="allowed-peer-ip=$VIDEO_PUBLIC_IP" \
       tls="# No certificate: no TLS or DTLS listener (turns: URLs need cert and pkey).
no-tls
no-dtls"
conf="$TURN_CONFIG_DIR/turnserver.conf"
umask 077                                  # the secret: readable by this user only
envsubst '$listening_ip $listening_port $min_port $max_port $secret $realm $user_quota $total_quota $external_ip $allowed_peer_ip $tls' \
    < "$here/turnserver.conf" > "$conf"
echo "coturn: configuration written to $conf (listening on $listening_ip:$listening_port)"

# Logs to the container's output; its own pid file and user database, never the system's.
exec turnserver -c "$conf" --log-file=stdout --simple-log \
    "--pidfile=$TURN_CONFIG_DIR/turnserver.pid" "--userdb=$TURN_CONFIG_DIR/turndb" "$@"
