# The portal's image for compose.yaml: the locked, hashed dependencies and the code; the
# command (web, worker or beat) is chosen by the compose service.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY requirements/base.lock requirements/base.lock
RUN pip install --require-hashes --no-deps -r requirements/base.lock
COPY . .
# collectstatic needs settings but no database or secret that matter at build time.
RUN DJANGO_SECRET_KEY=build DJANGO_ALLOWED_HOSTS=build python manage.py collectstatic --noinput
RUN useradd --create-home portal && mkdir -p /app/media && chown portal /app/media
USER portal
EXPOSE 8000
CMD ["gunicorn", "--config", "gunicorn.conf.py", "portal.wsgi:application"]
