#!/usr/bin/env bash
# make bench: every benchmark in turn, each printing `name: value unit` lines.
# The machine is shared and noisy (±30-50 %): compare ratios measured in the same run.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
failed=0
run() {  # name, command...
    echo "== $1"
    if ! timeout 900 "${@:2}" 2> >(grep -vE ' INFO |^\s*$' >&2); then
        echo "bench $1 FAILED" >&2
        failed=1
    fi
}
run ingest_pipeline   $PY bench/ingest_pipeline.py
run ingest_stages     $PY bench/ingest_stages.py
run modbus_stages     $PY bench/modbus_stages.py
run mqtt_decode       $PY bench/mqtt_decode.py --seconds 2
run mqtt_end_to_end   $PY bench/mqtt_end_to_end.py
run store_ingest      $PY bench/store_ingest.py
run idle_cpu          $PY bench/idle_cpu.py
# the ThingsBoard IoT gateway, measured in the same run through the shared peer harness when it is there
PEER=../shared/bench/peer_tbgw/setup.sh
export TBPEER_ROOT="${TBPEER_ROOT:-/tmp/tbpeer-sitegw}"
if [ -f "$PEER" ] && bash "$PEER" >/dev/null; then
    run modbus_poll   $PY bench/modbus_poll.py --peer
else
    echo "(no ThingsBoard peer: $PEER missing or its setup failed; sitegw alone)"
    run modbus_poll   $PY bench/modbus_poll.py
fi
run api_bench         $PY bench/api_bench.py
run rules_replay      $PY bench/rules_replay.py
run site_scale        $PY bench/site_scale.py
run warmup            $PY bench/warmup.py
run delivery_latency  $PY bench/delivery_latency.py
run patrol            $PY bench/patrol_bench.py
run wire_nulls        $PY bench/wire_nulls.py
run backlog_drain     $PY bench/backlog_drain.py
run regulator         $PY bench/regulator_bench.py --only ingest
# the UI's pages on a province's ledger (issue #16): 20,000 projects, 2,000,000 hazards and events, loaded by SQL
run regulator_province $PY bench/regulator_bench.py --only queue --projects 20000 --hazards 2000000 --events 2000000 --queries 140
# the same 500 gateways against `serve --workers 2` (two processes on one port; the load generator shares the cores)
run regulator_workers $PY bench/regulator_bench.py --only ingest --workers 2 --rates 1100
run vision            $PY bench/vision_bench.py
exit $failed
