# Homeward server: slim image, non-root user, migrates then serves.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOMEWARD_DATA_DIR=/var/lib/homeward \
    HOMEWARD_DATABASE_URL=sqlite:////var/lib/homeward/homeward.db

WORKDIR /srv/homeward
RUN groupadd --system --gid 10001 homeward \
    && useradd --system --uid 10001 --gid homeward --home-dir /srv/homeward homeward \
    && mkdir -p /var/lib/homeward \
    && chown homeward:homeward /var/lib/homeward

COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY static ./static
RUN pip install --no-cache-dir -e .

USER 10001:10001
EXPOSE 8000
VOLUME ["/var/lib/homeward"]
HEALTHCHECK --interval=30s --timeout=5s CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz').status == 200 else 1)"]
CMD ["sh", "-c", "homeward migrate && exec homeward serve --host 0.0.0.0 --port 8000 --workers ${HOMEWARD_WORKERS:-2}"]
