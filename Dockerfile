FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends libmagic1 ffmpeg gettext \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock \
    && pip install --no-cache-dir --no-deps -e .
COPY . .
RUN python manage.py compilemessages --ignore=.venv -v0 \
    && DJANGO_SETTINGS_MODULE=config.settings.local python manage.py collectstatic --noinput -v0
RUN useradd --system --home /app redress && mkdir -p /app/var && chown -R redress /app/var
USER redress
ENV DJANGO_SETTINGS_MODULE=config.settings.production PYTHONUNBUFFERED=1
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4"]
