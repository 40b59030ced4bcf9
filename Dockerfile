# framecast worker image: the checkout at /opt/framecast, installed editable with the extras `make setup` installs
# (except dev), Debian's ffmpeg (libx264, AAC, libass), fonts, a non-root user. A flow run's pull step
# (prefect.yaml, tasks/hosts.py) starts in /opt/framecast and checks FRAMECAST_REVISION against the deployment's.
#   docker build --build-arg FRAMECAST_REVISION=$(git rev-parse HEAD) -t framecast:$(git rev-parse --short HEAD) .
FROM python:3.11-slim

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ffmpeg fonts-dejavu-core tini \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 framecast \
 && install -d -o framecast -g framecast /opt/framecast /var/lib/framecast

WORKDIR /opt/framecast
# Dependencies first (a code change does not reinstall them): pyproject.toml alone, with empty packages.
COPY --chown=framecast:framecast pyproject.toml README.md LICENSE ./
RUN mkdir -p framecast flows tasks && touch framecast/__init__.py flows/__init__.py tasks/__init__.py \
 && pip install --no-cache-dir -e '.[voice,align,illustrate]' \
 && rm -rf framecast flows tasks
COPY --chown=framecast:framecast . .
RUN pip install --no-cache-dir --no-deps -e . && python -c "import framecast, flows.produce_video, tasks.hosts"

ARG FRAMECAST_REVISION=""
# The image has no .git: the pull step reads the revision from here. Scratch and the local cache go to
# /var/lib/framecast (mount a volume there); set FRAMECAST_STORE=gs://… so videos outlive the pod.
ENV FRAMECAST_REVISION=${FRAMECAST_REVISION} \
    FRAMECAST_DATA_DIR=/var/lib/framecast \
    PYTHONUNBUFFERED=1 \
    PREFECT_SERVER_ANALYTICS_ENABLED=false

USER framecast
ENTRYPOINT ["tini", "--"]
CMD ["prefect", "worker", "start", "--pool", "framecast-local"]
