"""A stop asked for while the gateway is still starting is an orderly stop (issue #19).

systemd stops a unit that is still starting with SIGTERM, and an operator presses Ctrl-C in the first
seconds. The real `sitegw demo` is signalled as soon as its first part is up (the embedded broker
listening, before the simulators, the receiver and the gateway): it must finish starting, stop every
part in order, print its summary and exit 0. Before the fix SIGTERM killed it mid start-up (exit -15)
and SIGINT raised KeyboardInterrupt wherever start-up was (exit 130); once, in the fault suite's kill
loop, such a stop never exited at all.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIRST_PART_UP = "embedded MQTT broker (amqtt) listening"


@pytest.mark.timeout(120)
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_during_start_up_stops_in_order(sig: signal.Signals, tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "sitegw.cli", "--log-level", "INFO", "demo", "--port", "0", "--no-cameras"]
    argv += ["--state-dir", str(tmp_path / "state"), "--duration", "600"]
    proc = subprocess.Popen(argv, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    before: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # until its first part is up (EOF if it died first)
            before.append(line)
            if FIRST_PART_UP in line:
                proc.send_signal(sig)
                break
        out, _ = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    text = "".join(before) + out
    assert FIRST_PART_UP in text, text[-3000:]
    assert not any("Dashboard:" in line for line in before), "signalled after start-up: nothing was tested"
    assert proc.returncode == 0, text[-3000:]
    assert "Traceback" not in text, text[-3000:]
    assert "Dashboard:" in out, "start-up did not finish before the stop"
