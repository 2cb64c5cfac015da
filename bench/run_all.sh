#!/usr/bin/env bash
# make bench: every benchmark in turn, each printing `name: value unit` lines between the machine's load
# average at its start and its end (bench/load.py: a figure taken while the load was above the core count
# is marked `(loaded)`). Then the headline figures against their goals, each beside its baseline from this
# same run (bench/summary.py), printed and written with the date and commit into docs/benchmarks.md.
# The machine is shared and noisy (±30-50 %): compare ratios measured in the same run.
# BENCH_ONLY=REGEX runs only the benchmarks whose names match: the table, printed and not written into
# docs/benchmarks.md (which keeps the latest whole run), says what is missing.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
OUT="${BENCH_OUT:-.state/bench-run.txt}"  # this run's output, which the summary reads
ONLY="${BENCH_ONLY:-}"
mkdir -p "$(dirname "$OUT")"
: >"$OUT"
# the processor the figures are of: a ratio to an earlier main follows the CPU (docs/benchmarks.md)
echo "cpu_model: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | xargs || echo unknown)" | tee -a "$OUT"
failed=0
run() {  # name, command... (LIMIT_S=seconds before it: a longer limit than 900 s)
    if [ -n "$ONLY" ] && ! [[ $1 =~ $ONLY ]]; then
        return
    fi
    echo "== $1" | tee -a "$OUT"
    timeout "${LIMIT_S:-900}" "${@:2}" 2> >(grep -vE ' INFO |^\s*$' >&2) | tee -a "$OUT"
    if [ "${PIPESTATUS[0]}" -ne 0 ]; then
        echo "bench $1 FAILED" | tee -a "$OUT" >&2
        failed=1
    fi
}
# a data logger's backlog at three sizes, each size with and without the rules: rate, peak RSS, readings lost
run ingest_30000      $PY bench/ingest_pipeline.py --messages 30000
run ingest_150000     $PY bench/ingest_pipeline.py --messages 150000
LIMIT_S=3600 run ingest_1000000 $PY bench/ingest_pipeline.py --messages 1000000
# the middle size queued at a real Mosquitto, paho's socket reading in the path
run ingest_broker     $PY bench/ingest_pipeline.py --source broker --messages 150000 --modes with_rules
# a pit DAU's record store of 150,000 records uploaded over Modbus TCP: rate, peak RSS, readings lost or doubled
run logger_backlog    $PY bench/logger_backlog.py
run ingest_stages     $PY bench/ingest_stages.py
run modbus_stages     $PY bench/modbus_stages.py
run mqtt_decode       $PY bench/mqtt_decode.py --seconds 2
run mqtt_end_to_end   $PY bench/mqtt_end_to_end.py
run store_ingest      $PY bench/store_ingest.py
run idle_cpu          $PY bench/idle_cpu.py
# the ThingsBoard IoT gateway, measured in the same run through the shared peer harness when it is there
PEER="$($PY -c 'from bench.modbus_poll import PEER_DIR; print(PEER_DIR)')/setup.sh"
export TBPEER_ROOT="${TBPEER_ROOT:-/tmp/tbpeer-sitegw}"
if [ -n "$ONLY" ] && ! [[ modbus_poll =~ $ONLY ]]; then
    :
elif [ -f "$PEER" ] && bash "$PEER" >/dev/null; then
    run modbus_poll   $PY bench/modbus_poll.py --peer
else
    echo "(no ThingsBoard peer: $PEER missing or its setup failed; sitegw alone)"
    run modbus_poll   $PY bench/modbus_poll.py
fi
run api_bench         $PY bench/api_bench.py
run rules_replay      $PY bench/rules_replay.py
# the same against an earlier main in this run, its rounds interleaved with this checkout's: the ratio is the
# figure to compare (the box is shared and noisy, and the ratio follows the CPU). A checkout of REF is made under
# .state/ from git (BENCH_BASE=DIR: the first baseline's checkout instead); COMPILE=1 compiles its rules as
# `make native` does, for a main that shipped them compiled.
against() {  # name, ref, dir
    if [ -n "$ONLY" ] && ! [[ $1 =~ $ONLY ]]; then
        return
    fi
    if ! [ -f "$3/rules/engine.py" ] && ! { mkdir -p "$3" && git archive "$2" | tar -x -C "$3"; }; then
        rm -rf "$3"
        echo "(no baseline for $1: $2 is not in this repository)"
        return
    fi
    if [ "${COMPILE:-0}" = 1 ] && ! ls "$3"/rules/engine.*.so >/dev/null 2>&1 &&
        ! (py="$PWD/$PY" && cd "$3" && "$py" setup.py -q build_ext --inplace >native-build.log 2>&1); then
        echo "bench $1 FAILED: its rules did not compile ($3/native-build.log)" | tee -a "$OUT" >&2
        failed=1
        return
    fi
    # 7 rounds: a round times one replay of about 90 ms in a fresh process, and one slow process in 3 moved
    # the median by a third
    run "$1" $PY bench/compare.py --base "$3" --rounds 7 bench/rules_replay.py
}
# the main before issue #43, from its sources (BENCH_BASE_REF)
BASE_REF="${BENCH_BASE_REF:-3371ef4}"
against rules_replay_vs_base "$BASE_REF" "${BENCH_BASE:-.state/bench-base-$BASE_REF}"
# the main issue #55 measured at 3.27x the one above on its box, rules compiled: "nothing given back" on any CPU
COMPILE=1 against rules_replay_vs_issue55 837aeaa .state/bench-base-837aeaa
run site_scale        $PY bench/site_scale.py
run warmup            $PY bench/warmup.py
run delivery_latency  $PY bench/delivery_latency.py
run patrol            $PY bench/patrol_bench.py
run wire_nulls        $PY bench/wire_nulls.py
run backlog_drain     $PY bench/backlog_drain.py
run regulator         $PY bench/regulator_bench.py --only ingest
# the same 500 gateways at 1,000 events/s on a primary with its synchronous standby (pg_auto_failover on
# loopback), the primary's machine lost 15 s in: p99 before and after beside the one-server figure above
run regulator_failover $PY bench/regulator_failover.py --gateways 500 --rate 1000 --seconds 40 --kill-at 15
# the UI's pages on a province's ledger (issue #16): 20,000 projects, 2,000,000 hazards and events, loaded by SQL
run regulator_province $PY bench/regulator_bench.py --only queue --projects 20000 --hazards 2000000 --events 2000000 --queries 140
# the same 500 gateways against `serve --workers 2` (two processes on one port; the load generator shares the cores)
run regulator_workers $PY bench/regulator_bench.py --only ingest --workers 2 --rates 1100
run vision            $PY bench/vision_bench.py
# how many RTSP cameras of site footage (1080p and 720p, 25 fps) one `sitegw run` judges at 1 frame/s each,
# every check on, with the example site's devices, before a frame or an alert is late (2 s, 3 s)
LIMIT_S=2400 run cameras_per_box $PY bench/cameras_per_box.py
# the same 1080p streams analysed at 1280x720 (analyse_px: 1280, a site's choice for cameras on near work)
LIMIT_S=1200 run cameras_per_box_scaled $PY bench/cameras_per_box.py --sizes 1920x1080 --analyse-px 1280
# the same 1080p cameras on footage a fixed site camera sees (two people walking in opposite corners, not the
# whole picture panning): the hard-hat check looks again only in the tiles the walkers reach
LIMIT_S=1200 run cameras_per_box_walkers $PY bench/cameras_per_box.py --sizes 1920x1080 --walkers
echo
if [ -n "$ONLY" ]; then
    # a part of the benchmarks: its table printed, docs/benchmarks.md keeps the latest whole run's
    $PY bench/summary.py "$OUT" || failed=1
else
    $PY bench/summary.py "$OUT" --write docs/benchmarks.md || failed=1
fi
exit $failed
