#!/usr/bin/env bash
# `make faults-short` in two pytest processes at once: `pytest-halves.sh 'PYTEST...' 'HALF1...' 'HALF2...'`.
# Most of a fault test's time is waiting on the fault it holds (an outage, a full disk, a broker down), so two
# share a 2-core box; each half's output goes to a log printed whole when both end (its fault table with it),
# with how long the half took. Fails when either half fails.
set -uo pipefail
pytest=$1
shift
logs=$(mktemp -d /tmp/sitegw-halves.XXXXXX)
trap 'rm -rf "$logs"' EXIT
pids=()
k=0
for half in "$@"; do
    k=$((k + 1))
    (
        started=$SECONDS
        # shellcheck disable=SC2086  # the command and the half are word lists
        $pytest $half >"$logs/$k.log" 2>&1
        rc=$?
        echo "half $k ($half): $((SECONDS - started)) s, exit $rc" >>"$logs/$k.log"
        exit $rc
    ) &
    pids+=($!)
done
rc=0
for k in "${!pids[@]}"; do
    wait "${pids[$k]}" || rc=1
    cat "$logs/$((k + 1)).log"
done
exit $rc
