#!/usr/bin/env bash
# sitegw on an edge box without Docker, as a systemd service, in one command (as root):
#
#   deploy/systemd/install-edge.sh SITE_FILE [WHEEL_OR_SOURCE]
#
# SITE_FILE: the site's YAML (checked first; copied to /etc/sitegw/site.yaml, readable by sitegw only).
# Its ${VARIABLES} (the regulator's secret, passwords) go in /etc/sitegw/sitegw.env as KEY=value lines (root's
# only; the unit's EnvironmentFile=): made with a comment at the first install, read by the check and by the
# service, kept across upgrades. WHEEL_OR_SOURCE: a sitegw wheel or a source folder (default: this checkout).
# Makes a virtual environment under $SITEGW_PREFIX (/opt/sitegw), the system user sitegw (in dialout, for
# the RS-485 adapters), the state folder /var/lib/sitegw, the unit sitegw.service (restart on failure,
# watchdog) and the command /usr/local/bin/sitegw, then enables and starts it. Run again with a newer wheel to
# upgrade: the state folder is kept.
set -euo pipefail
site=${1:?usage: install-edge.sh SITE_FILE [WHEEL_OR_SOURCE]}
here=$(cd "$(dirname "$0")" && pwd)
source=${2:-$(cd "$here/../.." && pwd)}
prefix=${SITEGW_PREFIX:-/opt/sitegw}
[ "$(id -u)" -eq 0 ] || { echo "install-edge.sh: run as root (sudo)" >&2; exit 2; }
command -v systemctl >/dev/null || { echo "install-edge.sh: no systemd here: run sitegw under your init system" >&2; exit 2; }
python3 -c 'import sys; assert sys.version_info >= (3, 11)' || { echo "install-edge.sh: sitegw needs Python 3.11 or newer" >&2; exit 2; }

python3 -m venv "$prefix/venv"
"$prefix/venv/bin/pip" install -q --upgrade pip
"$prefix/venv/bin/pip" install -q "$source"
install -d -m 0755 /etc/sitegw
envfile=/etc/sitegw/sitegw.env
[ -f "$envfile" ] || { echo "# the site file's \${VARIABLES} as KEY=value lines, e.g. REGULATOR_SECRET=..." > "$envfile"; }
chown root:root "$envfile" && chmod 0600 "$envfile"
# sudo leaves the caller's variables behind: the check reads them from the file the service will, so a site file
# that passes here also starts
( set -a; . "$envfile"; set +a; "$prefix/venv/bin/sitegw" check-config "$site" ) || {
  echo "install-edge.sh: fix the site file; put each \${VARIABLE} it names in $envfile (KEY=value), then run again" >&2
  exit 1
}

id -u sitegw >/dev/null 2>&1 || useradd --system --user-group --home-dir /var/lib/sitegw --shell /usr/sbin/nologin sitegw
usermod -a -G dialout sitegw
install -d -o root -g sitegw -m 0750 /etc/sitegw   # made above for the environment file: now sitegw's group
install -o root -g sitegw -m 0640 "$site" /etc/sitegw/site.yaml
[ -f "$source/README.md" ] && install -m 0644 "$source/README.md" "$prefix/README.md"
# the commands an operator types on the box (sitegw backup, sitegw users ...) found on root's PATH
ln -sf "$prefix/venv/bin/sitegw" /usr/local/bin/sitegw
sed "s|@PREFIX@|$prefix|g" "$here/sitegw.service" > /etc/systemd/system/sitegw.service
systemctl daemon-reload
systemctl enable sitegw >/dev/null
systemctl restart sitegw
echo "sitegw $("$prefix/venv/bin/sitegw" --version 2>/dev/null || true) installed; its log: journalctl -u sitegw -f"
