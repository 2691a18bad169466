# VillaGuard web/worker image: Debian's Python 3.11 with GDAL, GEOS, PROJ and SpatiaLite.
FROM debian:bookworm-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=villaguard.settings.production \
    PATH=/app/.venv/bin:$PATH

RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv binutils gdal-bin \
      libsqlite3-mod-spatialite gettext ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY villaguard ./villaguard
COPY accounts ./accounts
COPY territory ./territory
COPY contracts ./contracts
COPY guardians ./guardians
COPY complaints ./complaints
COPY committees ./committees
RUN python3 -m venv .venv && .venv/bin/pip install --no-cache-dir --upgrade pip \
 && .venv/bin/pip install --no-cache-dir .
COPY . .
RUN SECRET_KEY=build AUDIT_HMAC_KEY=build ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
 && useradd --system --home /app villaguard && mkdir -p /app/var/media && chown -R villaguard /app/var
USER villaguard
EXPOSE 8000
# Workers, threads, keep-alive and the access log: gunicorn.conf.py, read from /app.
CMD ["gunicorn", "villaguard.wsgi:application"]
