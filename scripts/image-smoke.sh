#!/usr/bin/env bash
# Builds both images of the Dockerfile and runs each in a container for its smoke checks, where there is no
# Docker daemon and no image registry (`make image-smoke`, run by .ci/run). Needs root and the network to
# Debian's mirror and PyPI; installs what it needs from Debian's packages when missing (buildah, podman,
# runc, mmdebstrap), and says so and stops when it is not root or cannot install them.
#
#   base       Debian 12 from Debian's packages (mmdebstrap: python3, python3-venv), the Dockerfile's BASE
#   build      buildah, the edge image (the default target) and the regulator image (--target regulator)
#   edge       `sitegw --version` (the checkout's release), `sitegw check-config` on the packaged example site
#              and `sitegw demo --duration 30`, whose summary must count readings and alerts; as user sitegw
#   regulator  the image's `sitegw regulator serve` answers /healthz with the release, and a user it was
#              given (`add-user`, another container on the same volume) signs in
#
# What running a container takes on these machines (Firecracker VMs, Debian 12's podman 4.3): the runtime
# runc, and resource limits within the host's. crun 1.8.1 (podman's default) refuses the host's hybrid
# cgroups ("cgroups in hybrid mode not supported, drop all controllers from cgroupv2": v1 controllers, and
# hugetlb on the v2 hierarchy); and podman's default limits for root (RLIMIT_NOFILE 1048576) are above the
# host's hard limits, which root here cannot raise (no CAP_SYS_RESOURCE), so the runtime's setrlimit fails with
# EPERM (`--ulimit host` too, and RLIMIT_NPROC at the host's own value). The RUN steps of the builds use
# buildah's chroot isolation, which needs neither.
# Measured on a busy 2-core box: docs/site/running.md.
#
# What keeps it short (CI runs it: .ci/run): SITEGW_WHEEL, a wheel already built from this checkout (make
# test-packaging leaves one in dist/; `make image-smoke WHEEL=dist/sitegw-...whl`), is what both images
# install (the Dockerfile's WHEELS=prebuilt), rather than each compiling the rules with mypyc in the build
# stage; without it the images build the wheel from the sources, as a clone's `docker build` does. Both
# targets are built with --layers, so the common stage (the user, the venv and the edge's install, which the
# regulator's extends) is built once. The storage is overlay, where the kernel mounts one (each layer and each
# container holds only its changes); vfs, its fallback, copies the whole file system for each of them.
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
command -v runc >/dev/null || need+=(runc)
command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
if [ ${#need[@]} -gt 0 ]; then
    say "installing ${need[*]}"
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q \
        --no-install-recommends "${need[@]}"; } >/dev/null ||
        fail "could not install ${need[*]} from Debian's packages (apt-get): install them, then run this again"
fi

release=$(python3 -c 'import re, sys; print(re.search(r"^__version__ = \"(.+)\"$", open("contract/__init__.py").read(), re.M)[1])')
wheel_args=(--build-arg WHEELS=build)  # spelled out: buildah 1.28 takes no stage from an ARG's default
if [ -n "${SITEGW_WHEEL:-}" ]; then
    [ -f "$SITEGW_WHEEL" ] || fail "SITEGW_WHEEL=$SITEGW_WHEEL is not a file (make test-packaging leaves the wheel in dist/)"
    wheel=$(basename "$SITEGW_WHEEL")
    case "$wheel" in
    sitegw-"$release"-*.whl) ;;
    *) fail "$wheel is not a wheel of this checkout's release $release: build it again (make test-packaging)" ;;
    esac
    # the Dockerfile's prebuilt stage takes it from dist/ of the build context
    [ "$SITEGW_WHEEL" -ef "dist/$wheel" ] || { mkdir -p dist && cp "$SITEGW_WHEEL" "dist/$wheel"; }
    wheel_args=(--build-arg WHEELS=prebuilt --build-arg "WHEEL=$wheel")
fi

WORK=${SITEGW_IMAGE_WORK:-$(mktemp -d /tmp/sitegw-image.XXXXXX)}
mkdir -p "$WORK"
driver=vfs
probe="$WORK/overlay-probe"
mkdir -p "$probe"/{lower,upper,work,merged}
if mount -t overlay overlay -o "lowerdir=$probe/lower,upperdir=$probe/upper,workdir=$probe/work" "$probe/merged" \
    2>/dev/null; then
    umount "$probe/merged"
    driver=overlay
fi
rm -rf "$probe"
STORE=(--storage-driver "$driver" --root "$WORK/storage" --runroot "$WORK/run")
RUN=(--isolation chroot --network host)
# within the host's hard limits (see above): its open files, and 4,096 processes (the host's own count is refused)
LIMITS=(--ulimit "nofile=$(ulimit -Sn):$(ulimit -Hn)" --ulimit nproc=4096:4096)
BASE=localhost/sitegw-base:bookworm
server=""
cleanup() {
    [ -z "$server" ] || podman "${STORE[@]}" --runtime runc rm --force "$server" >/dev/null 2>&1 || true
    if [ "${SITEGW_IMAGE_KEEP:-0}" != 1 ]; then
        buildah "${STORE[@]}" rm --all >/dev/null 2>&1 || true
        buildah "${STORE[@]}" rmi --all --force >/dev/null 2>&1 || true
        # the overlay driver keeps its folder mounted (private) beside the layers' own mounts
        awk -v w="$WORK/" 'index($2, w) == 1 {print $2}' /proc/mounts | sort -r | xargs -r -n 1 umount -l 2>/dev/null || true
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
say "storage: $driver; wheel: ${wheel:-built in the image from the sources}"

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
    # --layers: the regulator's build takes the stages it shares with the edge's from the edge's (on vfs, each
    # layer is a whole copy of the file system: a few GB for both images)
    buildah "${STORE[@]}" bud --layers --quiet "${RUN[@]}" --build-arg "BASE=$BASE" "${wheel_args[@]}" \
        --target "$target" -t "localhost/sitegw-$target" . >"$WORK/build-$target.log" 2>&1 ||
        { tail -40 "$WORK/build-$target.log" >&2; fail "the $target image did not build"; }
done

container() {  # container PODMAN-RUN-ARGS...: a container of an image, removed when it ends
    podman "${STORE[@]}" --runtime runc run --rm --pull never "${LIMITS[@]}" --network host "$@"
}

say "edge: the release, check-config, demo --duration 30"
[ "$(container --entrypoint id localhost/sitegw-edge -un)" = sitegw ] || fail "the edge image does not run as user sitegw"
said=$(container localhost/sitegw-edge --version)
[ "$said" = "sitegw $release" ] || fail "the edge image says '$said', the checkout is release $release"
example=$(container --entrypoint python localhost/sitegw-edge -c 'from config import EXAMPLE_SITE; print(EXAMPLE_SITE)')
container localhost/sitegw-edge check-config "$example" >"$WORK/check-config.out" ||
    { cat "$WORK/check-config.out" >&2; fail "sitegw check-config refused the packaged example site"; }
# the image's volume from a host folder (:U hands it to the image's user), so that the summary is read here
mkdir -p "$WORK/edge"
container -v "$WORK/edge:/var/lib/sitegw:U" localhost/sitegw-edge demo --duration 30 --port 0 --no-cameras \
    --state-dir /var/lib/sitegw/demo --summary-json /var/lib/sitegw/summary.json >"$WORK/demo.out" 2>&1 ||
    { tail -40 "$WORK/demo.out" >&2; fail "sitegw demo failed in the edge image"; }
python3 - "$WORK/edge/summary.json" <<'EOF' || fail "the demo's summary is not a running site's"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["readings_total"] > 100, s["readings_total"]
assert {"crane-1", "crane-2", "anemo-1", "pit-1"} <= set(s["readings"]), sorted(s["readings"])
assert s["alerts"]["alerts"] >= 1, s["alerts"]
print("demo:", s["readings_total"], "readings,", s["alerts"]["alerts"], "alerts")
EOF

say "regulator: serve, /healthz, a user signs in"
[ "$(container --entrypoint id localhost/sitegw-regulator -un)" = sitegw ] ||
    fail "the regulator image does not run as user sitegw"
DB=sqlite:////var/lib/sitegw/regulator.sqlite
password="smoke-$(python3 -c 'import secrets; print(secrets.token_hex(8))')"
mkdir -p "$WORK/regulator"
volume=(-v "$WORK/regulator:/var/lib/sitegw:U")
container "${volume[@]}" localhost/sitegw-regulator add-user smoke.admin --role admin --password "$password" \
    --db "$DB" >/dev/null
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# the image's own command, serve, on a free port of the host's network
server=$(podman "${STORE[@]}" --runtime runc run -d --pull never "${LIMITS[@]}" --network host "${volume[@]}" \
    localhost/sitegw-regulator serve --host 127.0.0.1 --port "$port" --db "$DB" \
    --evidence-dir /var/lib/sitegw/evidence)
python3 - "$port" "$release" "$password" <<'EOF' || { podman "${STORE[@]}" logs "$server" | tail -40 >&2; fail "the regulator"; }
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
