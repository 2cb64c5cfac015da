#!/usr/bin/env bash
# Installs what the tests talk to, from Debian's packages, when it is missing:
# mosquitto, influxdb (1.6.7), victoria-metrics, socat, faketime (the clock-jump fault test),
# nginx (the dashboard's reverse-proxy example), systemd's analyzer (the edge box's unit),
# chromium + chromium-driver, and GStreamer's
# RTSP server (for system python3 + gi) that plays an H.264 camera for the RTSP source tests.
# Idempotent; the tests start their own servers on free ports from these binaries.
set -euo pipefail
need=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
command -v influxd >/dev/null 2>&1 || [ -x /usr/bin/influxd ] || need+=(influxdb)
command -v victoria-metrics >/dev/null 2>&1 || [ -x /usr/bin/victoria-metrics ] || need+=(victoria-metrics)
command -v socat >/dev/null 2>&1 || need+=(socat)
[ -e /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 ] || need+=(faketime)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
# gateway/site/gb28181/media.py encodes the GB/T 28181 live view with ffmpeg (ffprobe checks it in the tests)
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
command -v chromium >/dev/null 2>&1 || need+=(chromium chromium-driver)
# systemd-analyze verify checks deploy/systemd/sitegw.service (tests/deploy/test_systemd.py)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
# CJK glyphs for the Chinese dashboard in headless screenshots and browser tests
[ -d /usr/share/fonts/opentype/noto ] || need+=(fonts-noto-cjk)
# tests/servers/rtsp_server.py: GstRtspServer under /usr/bin/python3; x264enc is in plugins-ugly,
# multifilesrc/jpegdec/rtph264pay in plugins-good, gst-inspect-1.0 in tools
if ! /usr/bin/python3 -c 'import gi; gi.require_version("GstRtspServer", "1.0")' >/dev/null 2>&1; then
    need+=(python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-rtsp-server-1.0)
fi
command -v gst-inspect-1.0 >/dev/null 2>&1 || need+=(gstreamer1.0-tools)
gst_has() { command -v gst-inspect-1.0 >/dev/null 2>&1 && gst-inspect-1.0 --exists "$1"; }
gst_has jpegdec && gst_has multifilesrc && gst_has rtph264pay || need+=(gstreamer1.0-plugins-base gstreamer1.0-plugins-good)
gst_has x264enc || need+=(gstreamer1.0-plugins-ugly)
# h264parse: the RTSP server sending a recorded H.264 stream file (bench/cameras_per_box.py)
gst_has h264parse || need+=(gstreamer1.0-plugins-bad)
if [ ${#need[@]} -gt 0 ]; then
    echo "[setup-test-env] installing ${need[*]}"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# --- PostgreSQL (regulator/ in production; its tests and benchmark) ---
# Debian's postgresql when missing; the cluster started without systemd when not running.
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "[setup-test-env] installing postgresql"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    # a test machine only: loopback connections as user postgres without a password, as the tests expect
    hba="/etc/postgresql/$(ls /etc/postgresql | sort -V | tail -1)/main/pg_hba.conf"
    $SUDO sed -i -E 's#^(host\s+all\s+all\s+127\.0\.0\.1/32\s+)\S+#\1trust#' "$hba"
fi
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
fi
# pg_auto_failover (the regulator's failover test in make faults): Debian's keeper and monitor extension
if ! command -v pg_autoctl >/dev/null 2>&1; then
    pgv="$(ls /usr/lib/postgresql | sort -V | tail -1)"
    echo "[setup-test-env] installing pg_auto_failover for PostgreSQL $pgv"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        "postgresql-$pgv-auto-failover" pg-auto-failover-cli >/dev/null \
        || echo "[setup-test-env] pg_auto_failover unavailable: the failover test will be skipped"
fi
# --- end PostgreSQL ---
echo "[setup-test-env] ok: mosquitto $(command -v mosquitto || echo /usr/sbin/mosquitto), influxd $(command -v influxd), victoria-metrics $(command -v victoria-metrics), rtsp $(gst-inspect-1.0 --version | head -1) x264enc=$(gst_has x264enc && echo yes || echo NO)"
