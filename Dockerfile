# Limber in a container: `docker build -t limber .`, then see compose.yaml and the README.
#
# Two stages: the first builds wheels (the project's own, whose build step packs migrations/
# and routines.toml into it, and every dependency's), the second installs them into a clean
# slim image, so no build tools or source tree end up in what runs.

FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml setup.py MANIFEST.in README.md routines.toml alembic.ini constraints.txt ./
COPY migrations ./migrations
COPY bot ./bot
# Through constraints.txt: the image runs the versions CI last passed with.
RUN pip wheel --no-cache-dir --wheel-dir /wheels -c constraints.txt .

FROM python:3.11-slim-bookworm
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
COPY --from=build /wheels /wheels
RUN pip install --no-index --find-links=/wheels limber && rm -rf /wheels

# Not root: the bot needs no privilege, and a flaw in it must not own the container.
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin limber \
    && mkdir /data && chown limber:limber /data
USER limber
WORKDIR /data
# The SQLite default lives on a volume (with PostgreSQL, compose.yaml sets DATABASE_URL).
VOLUME /data
ENV DATABASE_URL=sqlite+aiosqlite:////data/limber.db \
    PORT=8080 \
    HEALTH_PORT=8081
EXPOSE 8080 8081

# /livez (the process answers), not /readyz: an engine acts on "unhealthy", and a Telegram
# outage or a database in trouble is not cured by a restart; /readyz is for load balancers.
# On PORT in webhook mode (WEBHOOK_URL set), on HEALTH_PORT when long polling.
# Python's urllib, because the slim image has no curl; any non-2xx answer raises: unhealthy.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; port = os.environ['PORT'] if os.environ.get('WEBHOOK_URL') else os.environ.get('HEALTH_PORT') or os.environ['PORT']; urllib.request.urlopen(f'http://127.0.0.1:{port}/livez', timeout=4)"]

# The bot upgrades the database to the newest schema as it starts; compose.yaml runs
# `limber migrate` first as a release step, so a failed migration stops the deploy before the
# bot is replaced, and the bot's own upgrade finds nothing left to do.
CMD ["limber"]
