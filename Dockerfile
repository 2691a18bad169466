# VillaGuard web/worker image: Debian's Python 3.11 with GDAL, GEOS, PROJ and SpatiaLite.
FROM debian:bookworm-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    PATH=/app/.venv/bin:$PATH

RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv binutils gdal-bin \
      libsqlite3-mod-spatialite gettext ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# The runtime dependencies at requirements.lock's versions and hashes (the lock also pins the
# development tools, which the image leaves out). pip itself comes first from the lock: Debian's
# pip takes hashes in a constraints file for hash-checking mode. The dependencies are read from
# a wheel of pyproject.toml alone, hashed here, so that every package pip installs is checked;
# the code itself runs from /app.
COPY pyproject.toml README.md requirements.lock ./
RUN python3 -m venv .venv \
 && sed -n '/^pip==/,/^ *#/p' requirements.lock > /tmp/pip.txt \
 && .venv/bin/pip install --no-cache-dir --require-hashes --no-deps -r /tmp/pip.txt \
 && .venv/bin/pip wheel --no-cache-dir --no-deps --wheel-dir /tmp/wheel . \
 && for wheel in /tmp/wheel/*.whl; do \
      echo "villaguard @ file://$wheel --hash=sha256:$(sha256sum "$wheel" | cut -d' ' -f1)"; \
    done > /tmp/project.txt \
 && .venv/bin/pip install --no-cache-dir --require-hashes -r /tmp/project.txt -c requirements.lock \
 && .venv/bin/pip check && rm -rf /tmp/pip.txt /tmp/project.txt /tmp/wheel
COPY . .
# collectstatic loads the production settings, which require these: throwaway values for this
# one step (a RUN's variables are not kept in the image); the real ones come at run time.
RUN SECRET_KEY=build AUDIT_HMAC_KEY=build ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
 && useradd --system --home /app villaguard && mkdir -p /app/var/media && chown -R villaguard /app/var
USER villaguard
EXPOSE 8000
# Workers, threads, keep-alive and the access log: gunicorn.conf.py, read from /app.
CMD ["gunicorn", "config.wsgi:application"]
