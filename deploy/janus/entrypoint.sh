#!/bin/sh
# Entry point of the janus image (deploy/janus/Dockerfile, compose.yaml's `janus`; decision 0014 §5).
# Renders this folder's *.jcfg templates with video/media/janus_config.py into JANUS_CONFIG_DIR,
# then runs Janus on that folder alone (`janus -F`): nothing of Debian's /etc/janus is read.
#
#   JANUS_API_SECRET, JANUS_ADMIN_KEY  required; the same as the media process's (compose passes both)
#   JANUS_RTP_PORTS    the UDP range of the media, low-high (default 20000-20199; compose publishes it)
#   JANUS_WS_PORT      the WebSocket API's port (default 8188)
#   JANUS_BIND         the WebSocket API's address (default: this container's own address on the
#                      compose network, so the media process reaches it and nothing outside does)
#   VIDEO_PUBLIC_IP    when set, the address Janus announces in its candidates besides its own
#                      (`--nat-1-1`): in a container, the host's address the participants reach;
#                      its own (`--keep-private-host`) is the one the media process, on the compose
#                      network, reaches when it records (it subscribes to Janus itself)
#   JANUS_CONFIG_DIR   where the rendered files go (the image: /var/lib/hdnd-janus)
# Arguments are passed on to janus.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)            # /opt/hdnd in the image, the checkout in the tests
: "${JANUS_API_SECRET:?JANUS_API_SECRET is required (docs/video.md, Janus)}"
: "${JANUS_ADMIN_KEY:?JANUS_ADMIN_KEY is required (docs/video.md, Janus)}"
: "${JANUS_CONFIG_DIR:?JANUS_CONFIG_DIR: the folder to render the configuration into}"
export JANUS_CONFIG_DIR

python3 - "$root/video/media/janus_config.py" <<'PY'
import os, runpy, socket, sys

render = runpy.run_path(sys.argv[1])["render"]   # its templates: deploy/janus/ beside it
low, _, high = os.environ.get("JANUS_RTP_PORTS", "20000-20199").partition("-")
bind = os.environ.get("JANUS_BIND") or socket.gethostbyname(socket.gethostname())
try:
    render(os.environ["JANUS_CONFIG_DIR"], ws_port=int(os.environ.get("JANUS_WS_PORT", "8188")),
           api_secret=os.environ["JANUS_API_SECRET"], admin_key=os.environ["JANUS_ADMIN_KEY"],
           rtp_ports=(int(low), int(high or low)), bind=bind)
except ValueError as error:
    sys.exit(f"janus: {error}")
print(f"janus: configuration rendered into {os.environ['JANUS_CONFIG_DIR']} (WebSocket API on {bind})", flush=True)
PY

if [ -n "${VIDEO_PUBLIC_IP:-}" ]; then
    set -- "--nat-1-1=$VIDEO_PUBLIC_IP" --keep-private-host "$@"
fi
# -o: no colours in the container's log.
exec janus -F "$JANUS_CONFIG_DIR" -o "$@"
