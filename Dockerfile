# sparqlqa service image: multi-stage, non-root, CPU torch by default.
#   docker build -t sparqlqa .                                     # CPU
#   docker build -t sparqlqa:gpu --build-arg TORCH_INDEX=https://download.pytorch.org/whl/cu126 .
# Data (stores, indexes, models) lives in the /data volume; the first start prepares the
# default graph there (`sparqlqa adapt` of the bundled graph: generate, train for 10 minutes,
# evaluate; about 15 minutes on 2 cores, resumed after a restart), later starts take seconds.
ARG PYTHON_VERSION=3.11

FROM python:${PYTHON_VERSION}-slim AS build
ARG TORCH_VERSION=2.13.0
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# torch first, from the chosen index, so nothing later pulls another build of it.
RUN pip install --index-url "${TORCH_INDEX}" "torch==${TORCH_VERSION}"
WORKDIR /src
COPY pyproject.toml README.md constraints.txt ./
COPY src ./src
# hadolint ignore=DL3013
RUN pip install -c constraints.txt ".[ml,service]"  # versions tested: constraints.txt

FROM python:${PYTHON_VERSION}-slim AS runtime
RUN useradd --create-home --uid 10001 sparqlqa \
    && mkdir /data && chown sparqlqa:sparqlqa /data
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    SPARQLQA_HOME=/data \
    HF_HUB_OFFLINE=1 \
    PYTHONUNBUFFERED=1
VOLUME ["/data"]
USER 10001
WORKDIR /data
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20m \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"]
ENTRYPOINT ["sparqlqa"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--prepare"]
