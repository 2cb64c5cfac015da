#!/usr/bin/env bash
# Builds both images of the Dockerfile and runs their smoke checks, where there is no Docker daemon and no
# image registry (`make image-smoke`; not yet in .ci/run: the edge image built here, the regulator's and the
# smoke checks are not proven end to end). Needs root and the network to Debian's mirror and
# PyPI; installs what it needs from Debian's packages when missing (buildah, podman, mmdebstrap).
#
#   base       Debian 12 from Debian's packages (mmdebstrap: python3, python3-venv), the Dockerfile's BASE
#   build      buildah, the edge image (the default target) and the regulator image (--target regulator)
#   edge       `sitegw --version` (the checkout's release), `sitegw check-config` on the packaged example site
#              and `sitegw demo --duration 30`, whose summary must count readings and alerts; as user sitegw
#   regulator  `sitegw regulator serve` answers /healthz with the release, and a user it was given signs in
#
# The images' commands run with buildah's chroot isolation: on these machines an OCI runtime cannot start a
# container at all (`podman run` and `buildah --isolation oci`: crun and runc both fail setting the
# container's RLIMIT_NOFILE/RLIMIT_NPROC with EPERM, even at the host's own values), and a chroot is what the
# images' commands need: the image's files, user, environment and working directory, the host's network.
# SITEGW_IMAGE_KEEP=1 keeps the storage (in SITEGW_IMAGE_WORK, default a fresh folder under /tmp) for a look.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
say() { printf '[image-smoke %4ds] %s\n' $((SECONDS - started)) "$*"; }
fail() { say "FAILED: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || fail "run as root (buildah's vfs storage and chroot isolation, mmdebstrap's chroot)"
need=()
command -v buildah >/dev/null || need+=(buildah)
command -v podman >/dev/null || need+=(podman)  # podman import: a root file system's tar as an image
command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
if [ ${#need[@]} -gt 0 ]; then
    say "installing ${need[*]}"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi

WORK=${SITEGW_IMAGE_WORK:-$(mktemp -d /tmp/sitegw-image.XXXXXX)}
STORE=(--storage-driver vfs --root "$WORK/storage" --runroot "$WORK/run")
RUN=(--isolation chroot --network host)
BASE=localhost/sitegw-base:bookworm
containers=()
server=""
cleanup() {
    [ -z "$server" ] || kill -- "-$server" 2>/dev/null || true
    for c in "${containers[@]}"; do buildah "${STORE[@]}" rm "$c" >/dev/null 2>&1 || true; done
    if [ "${SITEGW_IMAGE_KEEP:-0}" != 1 ]; then
        buildah "${STORE[@]}" rmi --all --force >/dev/null 2>&1 || true
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
release=$(python3 -c 'import re, sys; print(re.search(r"^__version__ = \"(.+)\"$", open("contract/__init__.py").read(), re.M)[1])')

say "base: Debian 12 with python3 and python3-venv (mmdebstrap)"
trust=()
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    # the CAs this machine was given locally (a TLS-inspecting proxy's, where PyPI is reached through one): the
    # base trusts them too, pip included (it reads its own CA bundle unless told the system's), as the base
    # image of a network without such a proxy needs nothing
    trust=(--customize-hook='cp /usr/local/share/ca-certificates/*.crt "$1/usr/local/share/ca-certificates/"'
        --customize-hook='chroot "$1" update-ca-certificates >/dev/null'
        --customize-hook='printf "[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n" >"$1/etc/pip.conf"')
fi
mmdebstrap --quiet --variant=minbase --include=python3,python3-venv,ca-certificates "${trust[@]}" bookworm \
    "$WORK/base.tar"
podman "${STORE[@]}" import --quiet "$WORK/base.tar" "$BASE" >/dev/null 2>"$WORK/import.log" ||
    { cat "$WORK/import.log" >&2; fail "podman could not import the base"; }
rm -f "$WORK/base.tar"

for target in edge regulator; do
    say "build: $target image"
    # no --layers: vfs keeps every layer as a whole copy of the file system (a cached build of both images
    # took 36 layers, 21 GB), so each image builds its stages in one go, the build stage (the wheel) twice
    buildah "${STORE[@]}" bud --quiet "${RUN[@]}" --build-arg "BASE=$BASE" --target "$target" \
        -t "localhost/sitegw-$target" . >"$WORK/build-$target.log" 2>&1 ||
        { tail -40 "$WORK/build-$target.log" >&2; fail "the $target image did not build"; }
done

in_image() {  # in_image CONTAINER COMMAND...: the command in the container, as the image's user
    local c=$1
    shift
    buildah "${STORE[@]}" run "${RUN[@]}" "$c" -- "$@"
}

say "edge: the release, check-config, demo --duration 30"
edge=$(buildah "${STORE[@]}" from --quiet localhost/sitegw-edge)
containers+=("$edge")
[ "$(in_image "$edge" id -un)" = sitegw ] || fail "the edge image does not run as user sitegw"
said=$(in_image "$edge" sitegw --version)
[ "$said" = "sitegw $release" ] || fail "the edge image says '$said', the checkout is release $release"
example=$(in_image "$edge" python -c 'from config import EXAMPLE_SITE; print(EXAMPLE_SITE)')
in_image "$edge" sitegw check-config "$example" >"$WORK/check-config.out" ||
    { cat "$WORK/check-config.out" >&2; fail "sitegw check-config refused the packaged example site"; }
in_image "$edge" sitegw demo --duration 30 --port 0 --no-cameras --state-dir /var/lib/sitegw/demo \
    --summary-json /var/lib/sitegw/summary.json >"$WORK/demo.out" 2>&1 ||
    { tail -40 "$WORK/demo.out" >&2; fail "sitegw demo failed in the edge image"; }
in_image "$edge" python -c '
import json
s = json.load(open("/var/lib/sitegw/summary.json"))
assert s["readings_total"] > 100, s["readings_total"]
assert {"crane-1", "crane-2", "anemo-1", "pit-1"} <= set(s["readings"]), sorted(s["readings"])
assert s["alerts"]["alerts"] >= 1, s["alerts"]
print("demo:", s["readings_total"], "readings,", s["alerts"]["alerts"], "alerts")
' || fail "the demo's summary is not a running site's"

say "regulator: serve, /healthz, a user signs in"
reg=$(buildah "${STORE[@]}" from --quiet localhost/sitegw-regulator)
containers+=("$reg")
[ "$(in_image "$reg" id -un)" = sitegw ] || fail "the regulator image does not run as user sitegw"
DB=sqlite:////var/lib/sitegw/regulator.sqlite
password="smoke-$(python3 -c 'import secrets; print(secrets.token_hex(8))')"
in_image "$reg" sitegw regulator add-user smoke.admin --role admin --password "$password" --db "$DB" >/dev/null
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# a process group of its own, so that the cleanup ends the server with the buildah that runs it
setsid buildah "${STORE[@]}" run "${RUN[@]}" "$reg" -- sitegw regulator serve --host 127.0.0.1 --port "$port" \
    --db "$DB" --evidence-dir /var/lib/sitegw/evidence >"$WORK/regulator.out" 2>&1 &
server=$!
python3 - "$port" "$release" "$password" <<'EOF' || { tail -40 "$WORK/regulator.out" >&2; fail "the regulator image's checks"; }
import http.cookiejar, json, sys, time, urllib.request

port, release, password = sys.argv[1:]
base = f"http://127.0.0.1:{port}"
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
deadline = time.monotonic() + 120
while True:
    try:
        health = json.load(opener.open(base + "/healthz", timeout=5))
        break
    except OSError:
        if time.monotonic() > deadline:
            raise SystemExit("the regulator did not answer /healthz within 120 s")
        time.sleep(1)
assert health == {"status": "ok", "version": release}, health
login = urllib.request.Request(
    base + "/ui/api/login",
    data=json.dumps({"username": "smoke.admin", "password": password}).encode(),
    headers={"Content-Type": "application/json"},
)
me = json.load(opener.open(login, timeout=10))
assert me["username"] == "smoke.admin", me
again = json.load(opener.open(base + "/ui/api/me", timeout=10))  # the session cookie signs the next request
assert again["username"] == "smoke.admin", again
print(f"regulator: /healthz {health}, smoke.admin signed in")
EOF
say "both images built and passed their smoke checks (release $release)"
