# One image for every Python service in compose.yaml: the migrate job, the
# Daphne workers and the background job worker. Built from this checkout; dependencies pinned by constraints.txt.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

# gettext: compilemessages turns locale/*/django.po into the .mo files Django reads.
# LibreOffice (writer, calc; no GUI): the PDF renditions of DOCX/XLSX that delegates read.
# fonts-liberation2: Liberation Serif (Times New Roman's metrics) for the convocation letter.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gettext libreoffice-writer-nogui libreoffice-calc-nogui fonts-liberation2 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Requirements first, so a code change does not reinstall every package.
COPY requirements.txt constraints.txt ./
RUN pip install -r requirements.txt -c constraints.txt

COPY . .
# collectstatic here as well as in the migrate job: every container of this image (web, worker,
# daily) then has the manifest of hashed static names its pages link (STATIC_MANIFEST,
# docs/deploy.md "Upgrades"); the migrate job copies the same files into the volume nginx serves.
RUN python manage.py compilemessages --verbosity 0 --ignore '.venv' \
 && STATIC_MANIFEST=1 python manage.py collectstatic --noinput --verbosity 0 \
 && useradd --system --uid 10001 --no-create-home --home-dir /app hub \
 && mkdir -p /app/staticfiles /app/var/media /app/var/documents \
 && chown -R hub /app/staticfiles /app/var

USER hub
EXPOSE 8000
ENTRYPOINT ["/app/deploy/entrypoint.sh"]
CMD ["web"]
