# sitegw on an edge box: the gateway process with its profiles and example config.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /opt/sitegw
COPY pyproject.toml README.md ./
COPY gateway ./gateway
COPY drivers ./drivers
COPY vision ./vision
COPY regulator ./regulator
COPY config ./config
# editable install keeps contract/config/profiles next to the code, where the loader looks for them
RUN pip install --no-cache-dir -e . && useradd --system --home /var/lib/sitegw sitegw \
    && mkdir -p /var/lib/sitegw && chown sitegw /var/lib/sitegw
USER sitegw
VOLUME ["/var/lib/sitegw"]
EXPOSE 8080
# RS-485 adapters: run with --device /dev/ttyUSB0 (and add the user to dialout on the host)
ENTRYPOINT ["sitegw"]
CMD ["run", "/etc/sitegw/site.yaml", "--state-dir", "/var/lib/sitegw"]
