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
echo "[setup-test-env] ok: mosquitto $(command -v mosquitto || echo /usr/sbin/mosquitto), influxd $(command -v influxd), victoria-metrics $(command -v victoria-metrics)"
