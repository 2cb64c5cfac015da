#!/usr/bin/env bash
# Installs what the tests talk to, from Debian's packages, when it is missing:
# mosquitto, influxdb (1.6.7), victoria-metrics, socat, chromium + chromium-driver.
# Idempotent; the tests start their own servers on free ports from these binaries.
set -euo pipefail
need=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
command -v influxd >/dev/null 2>&1 || [ -x /usr/bin/influxd ] || need+=(influxdb)
command -v victoria-metrics >/dev/null 2>&1 || [ -x /usr/bin/victoria-metrics ] || need+=(victoria-metrics)
command -v socat >/dev/null 2>&1 || need+=(socat)
command -v chromium >/dev/null 2>&1 || need+=(chromium chromium-driver)
# CJK glyphs for the Chinese dashboard in headless screenshots and browser tests
[ -d /usr/share/fonts/opentype/noto ] || need+=(fonts-noto-cjk)
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
# --- end PostgreSQL ---
echo "[setup-test-env] ok: mosquitto $(command -v mosquitto || echo /usr/sbin/mosquitto), influxd $(command -v influxd), victoria-metrics $(command -v victoria-metrics)"
