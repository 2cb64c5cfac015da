# sitegw images, built from the wheel (not an editable install), run as a non-root user.
#   docker build -t sitegw .                                  # the edge box: the gateway, no regulator extra
#   docker build --target regulator -t sitegw-regulator .     # the housing authority's side
FROM python:3.11-slim-bookworm AS build
# a C compiler: the wheel carries the rules compiled with mypyc (setup.py)
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml setup.py mypyc.ini README.md ./
COPY config ./config
COPY contract ./contract
COPY plumbing ./plumbing
COPY drivers ./drivers
COPY rules ./rules
COPY vision ./vision
COPY gateway ./gateway
COPY regulator ./regulator
COPY sitegw ./sitegw
RUN pip wheel --no-cache-dir --no-deps -w /wheels .

FROM python:3.11-slim-bookworm AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN useradd --system --home /var/lib/sitegw sitegw && mkdir -p /var/lib/sitegw && chown sitegw /var/lib/sitegw

FROM base AS regulator
# the monthly report's PDF embeds a Chinese font (regulator/report_pdf.py): Noto Sans CJK
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk && rm -rf /var/lib/apt/lists/*
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir "$(ls /wheels/sitegw-*.whl)[regulator]" && rm -rf /wheels
USER sitegw
VOLUME ["/var/lib/sitegw"]
EXPOSE 8700
ENTRYPOINT ["sitegw", "regulator"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8700", "--db", "sqlite:////var/lib/sitegw/regulator.sqlite", \
     "--evidence-dir", "/var/lib/sitegw/evidence"]

# the default target, last: the edge box
FROM base AS edge
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/sitegw-*.whl && rm -rf /wheels
USER sitegw
VOLUME ["/var/lib/sitegw"]
EXPOSE 8080
# RS-485 adapters: run with --device /dev/ttyUSB0 (and add the user to dialout on the host)
ENTRYPOINT ["sitegw"]
CMD ["run", "/etc/sitegw/site.yaml", "--state-dir", "/var/lib/sitegw"]
