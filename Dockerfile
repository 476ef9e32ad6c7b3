# The guanxi API and explorer, talking to Neo4j (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY graph ./graph
COPY api ./api
RUN pip install ".[postgres]" \
    && useradd --system --create-home --home-dir /var/lib/guanxi --shell /usr/sbin/nologin guanxi

USER guanxi
WORKDIR /var/lib/guanxi
ENV GUANXI_ENGINE=neo4j \
    GUANXI_DATA_DIR=/var/lib/guanxi
EXPOSE 8000
CMD ["guanxi", "serve", "--engine", "neo4j", "--host", "0.0.0.0", "--port", "8000"]
