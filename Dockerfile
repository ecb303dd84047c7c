# One image for web, worker and beat; the frontend is built in its own stage.
FROM node:20-bookworm-slim AS frontend
WORKDIR /app/frontend
COPY frontend/ ./
RUN if [ -f package.json ]; then npm ci --no-audit --no-fund && npm run build; else mkdir -p dist; fi

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PYTHONPATH=/app/platform \
    DJANGO_SETTINGS_MODULE=config.settings SEVENSTEP_VAR_DIR=/app/var
WORKDIR /app
COPY requirements/lock.txt requirements/lock.txt
RUN pip install --no-cache-dir --require-hashes -r requirements/lock.txt
COPY . .
COPY --from=frontend /app/frontend/dist frontend/dist
RUN DJANGO_ENV=development python manage.py collectstatic --noinput -v0
EXPOSE 8000
# --respawn-failed-workers: a worker process that dies is replaced; without it granian stops
# every other worker and exits, taking each of their rooms down with it.
CMD ["granian", "--interface", "asgi", "--host", "0.0.0.0", "--port", "8000", "--ws", "--respawn-failed-workers", "config.asgi:application"]
