#!/bin/sh
# Entry point of the hub image (see compose.yaml and docs/deploy.md).
#   migrate   apply migrations and collect static files into STATIC_ROOT, then exit
#   web       serve with Daphne on :8000 (one process; run several behind the proxy)
#   anything else is run as given, e.g. "python manage.py createsuperuser"
set -eu
cd /app

case "${1:-web}" in
  migrate)
    python manage.py migrate --noinput
    # Adds this release's hashed names beside the last one's (no --clear): a page of the old
    # release still finds its scripts while the workers are upgraded one at a time.
    python manage.py collectstatic --noinput --verbosity 0
    ;;
  web)
    # -v 0: no access log line per request and WebSocket (nginx keeps one);
    # --proxy-headers: the client address comes from nginx's X-Forwarded-For.
    exec daphne -b 0.0.0.0 -p 8000 -v 0 --proxy-headers config.asgi:application
    ;;
  *)
    exec "$@"
    ;;
esac
