"""The Dockerfile's images run as a non-root user with the state folder as a volume (issue #19).

No Docker engine here: the Dockerfile is parsed as its reference describes it (instructions, one per
line after joining \\-continued lines; each FROM starts a stage; the last stage is the default target).
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

DOCKERFILE = Path(__file__).resolve().parents[2] / "Dockerfile"


def stages() -> dict[str, list[tuple[str, str]]]:
    """Stage name -> its instructions (upper-case keyword, arguments), in order."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    out: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            parts = args.split()
            name = parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else f"stage{len(out)}"
            current = out[name] = [("FROM", parts[0])]
        current.append((keyword, args.strip()))
    return out


def resolved(name: str) -> list[tuple[str, str]]:
    """A stage's instructions with those of the stages it is built FROM first (USER and VOLUME carry over)."""
    all_stages = stages()
    own = all_stages[name]
    parent = own[0][1]
    return (resolved(parent) if parent in all_stages else []) + own[1:]


def words(args: str) -> list[str]:
    """An instruction's arguments: the JSON (exec) form or the shell form."""
    return json.loads(args) if args.startswith("[") else shlex.split(args)


def state_dir_of(instructions: list[tuple[str, str]]) -> str:
    """Where the image's command keeps its state (--state-dir, or the regulator's --db/--evidence-dir folder)."""
    cmd = " ".join(words(next(a for k, a in reversed(instructions) if k == "CMD")))
    found = re.search(r"--state-dir\s+(\S+)|sqlite:///(/\S+)/[^/\s]+\.sqlite", cmd)
    assert found, f"no state folder in CMD {cmd!r}"
    return (found.group(1) or found.group(2)).rstrip("/")


@pytest.mark.parametrize("stage", ["edge", "regulator"])
def test_the_image_runs_as_a_non_root_user_with_its_state_in_a_volume(stage: str) -> None:
    instructions = resolved(stage)
    users = [a for k, a in instructions if k == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0"), f"{stage} runs as {users or 'root'}"
    user = users[-1].split(":")[0]
    last_user = max(i for i, (k, _) in enumerate(instructions) if k == "USER")
    assert all(k != "RUN" for k, _ in instructions[last_user + 1 :]), "nothing runs as root after USER"
    state = state_dir_of(instructions)
    volumes = [v.rstrip("/") for k, a in instructions if k == "VOLUME" for v in words(a)]
    assert state in volumes, f"{stage}: state folder {state} is not a VOLUME ({volumes})"
    # the user must own the folder, or its first write fails
    runs = " ".join(a for k, a in instructions if k == "RUN")
    assert re.search(rf"useradd[^&;]*\b{user}\b", runs), f"{user} is never created"
    assert re.search(rf"chown[^&;]*\b{user}\b[^&;]*{re.escape(state)}", runs), f"{state} is not {user}'s"


def test_the_default_image_is_the_edge_box_without_the_regulator() -> None:
    names = list(stages())
    assert names[-1] == "edge", "the last stage (docker build's default) is the edge box"
    edge = resolved("edge")  # its install is the base stage's, shared with the regulator's image
    installs = " ".join(a for k, a in edge if k == "RUN" and "pip install" in a)
    assert "sitegw-" in installs and "[regulator]" not in installs
    assert words(next(a for k, a in edge if k == "ENTRYPOINT")) == ["sitegw"]
    assert words(next(a for k, a in edge if k == "CMD"))[0] == "run"
