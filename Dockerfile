# sitegw images, built from the wheel (not an editable install), run as a non-root user.
#   docker build -t sitegw .                                  # the edge box: the gateway, no regulator extra
#   docker build --target regulator -t sitegw-regulator .     # the housing authority's side
# BASE: any Debian 12 image with python3 (3.11) and its venv module: Docker Hub's python:3.11-slim-bookworm by
# default, or one made from Debian's own packages where no registry is reachable (scripts/image-smoke.sh builds
# both images on such a base with buildah and runs their smoke checks: `make image-smoke`).
# WHEELS: where the wheel comes from. `build` (the default) compiles it here from the sources; `prebuilt` takes
# dist/$WHEEL of the build context, a wheel already built for Debian 12's Python 3.11 (make test-packaging
# leaves one there, and CI's image build takes it rather than compiling the rules again):
#   docker build --build-arg WHEELS=prebuilt --build-arg WHEEL=sitegw-0.2.0-cp311-cp311-linux_x86_64.whl .
# (buildah 1.28, Debian 12's, needs `--build-arg WHEELS=build` spelled out for the default.)
ARG BASE=python:3.11-slim-bookworm
ARG WHEELS=build

FROM ${BASE} AS build
# a C compiler: the wheel carries the rules compiled with mypyc (setup.py); Python's headers when the base has
# none (Debian's python3 keeps them in python3-dev; the python image has them)
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \
        $(python3 -c 'import os, sysconfig; print("" if os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")) else "python3-dev")') \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml setup.py mypyc.ini README.md ./
COPY config ./config
COPY contract ./contract
COPY plumbing ./plumbing
COPY drivers ./drivers
COPY rules ./rules
COPY kinds ./kinds
COPY vision ./vision
COPY gateway ./gateway
COPY regulator ./regulator
COPY sitegw ./sitegw
# pip's isolated build environment gets the build system's requirements (pyproject.toml) from the index
RUN python3 -m venv /opt/build && /opt/build/bin/pip wheel --no-cache-dir --no-deps -w /wheels .

FROM scratch AS prebuilt
ARG WHEEL
COPY dist/${WHEEL} /wheels/

# the one stage the images take their wheel from
FROM ${WHEELS} AS wheels

FROM ${BASE} AS base
# a virtual environment: Debian's python3 refuses installs into the system's site-packages (PEP 668). The edge
# box's install is common to both images (the regulator's is the same with its extra), so that a builder that
# keeps layers (docker, buildah --layers) installs it once for both
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/sitegw/bin:$PATH
RUN --mount=type=bind,from=wheels,source=/wheels,target=/wheels \
    useradd --system --home /var/lib/sitegw sitegw && mkdir -p /var/lib/sitegw && chown sitegw /var/lib/sitegw \
    && python3 -m venv /opt/sitegw && pip install --no-cache-dir /wheels/sitegw-*.whl
VOLUME ["/var/lib/sitegw"]

FROM base AS regulator
# the monthly report's PDF embeds a Chinese font (regulator/report_pdf.py): Noto Sans CJK
RUN --mount=type=bind,from=wheels,source=/wheels,target=/wheels \
    apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir "$(ls /wheels/sitegw-*.whl)[regulator]"
USER sitegw
EXPOSE 8700
ENTRYPOINT ["sitegw", "regulator"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8700", "--db", "sqlite:////var/lib/sitegw/regulator.sqlite", \
     "--evidence-dir", "/var/lib/sitegw/evidence"]

# the default target, last: the edge box
FROM base AS edge
USER sitegw
EXPOSE 8080
# RS-485 adapters: run with --device /dev/ttyUSB0 (and add the user to dialout on the host)
ENTRYPOINT ["sitegw"]
CMD ["run", "/etc/sitegw/site.yaml", "--state-dir", "/var/lib/sitegw"]
