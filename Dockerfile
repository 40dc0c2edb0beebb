# The portal's image for compose.yaml: the locked, hashed dependencies and the code; the
# command (web, worker or beat) is chosen by the compose service.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
# WeasyPrint (the reports' PDFs) draws text through Pango and HarfBuzz; DejaVu is its font.
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
COPY requirements/base.lock requirements/base.lock
RUN pip install --require-hashes --no-deps -r requirements/base.lock
COPY . .
# collectstatic needs settings but no database or secret that matter at build time.
RUN DJANGO_SECRET_KEY=build DJANGO_ALLOWED_HOSTS=build python manage.py collectstatic --noinput
RUN useradd --create-home portal && mkdir -p /app/media && chown portal /app/media
USER portal
EXPOSE 8000
CMD ["gunicorn", "--config", "gunicorn.conf.py", "portal.wsgi:application"]
