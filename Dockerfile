# Portefeuille: production image. gunicorn serves the app; PORT is honoured.
FROM python:3.12-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /venv
COPY requirements.txt /tmp/requirements.txt
RUN /venv/bin/pip install -r /tmp/requirements.txt
WORKDIR /app
COPY . .
# collectstatic needs settings but no database: throw-away production values.
RUN DJANGO_DEBUG=false DJANGO_SECRET_KEY=collectstatic DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://collectstatic@localhost/none \
    /venv/bin/python manage.py collectstatic --noinput

FROM python:3.12-slim-bookworm
RUN useradd --create-home --uid 10001 app
COPY --from=build /venv /venv
COPY --from=build --chown=app:app /app /app
WORKDIR /app
USER app
ENV PATH=/venv/bin:$PATH PYTHONUNBUFFERED=1 PORT=8000 DJANGO_DEBUG=false
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import os,urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz')"
# gunicorn.conf.py binds 0.0.0.0:$PORT with $WEB_CONCURRENCY workers (default 2).
CMD ["gunicorn", "portfolio.wsgi"]
