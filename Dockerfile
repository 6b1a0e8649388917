# Hearth's production image: gunicorn serves the web app (WhiteNoise serves static
# files); the same image runs the Celery worker and beat (see docker-compose.yml).

FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY scripts/copy-assets.mjs scripts/
RUN npm run build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HEARTH_VAR_DIR=/var/lib/hearth \
    STATIC_ROOT=/app/staticfiles
RUN useradd --create-home --uid 1000 hearth \
    && mkdir -p /var/lib/hearth && chown hearth:hearth /var/lib/hearth
WORKDIR /app
COPY . .
COPY --from=assets /app/static/vendor static/vendor
RUN pip install --no-cache-dir -c constraints.txt . \
    && DEBUG=0 SECRET_KEY=collectstatic-only-not-a-secret python manage.py collectstatic --noinput
USER hearth
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
