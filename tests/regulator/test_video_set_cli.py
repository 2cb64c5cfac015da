"""``sitegw regulator video-set`` on the embedded SQLite: a regulator keeps the set from the command line
(include with a category, reason and date; change the category; remove), reads its history with the
reasons and dates, and the patrol coverage names the projects not seen this week (exit 1 while any is)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from regulator.commands.video_set import video_set_app
from regulator.ledger import patrol_duty
from regulator.storage.repository import Repository
from regulator.storage.scope import Actor


def test_the_set_is_kept_from_the_command_line_with_its_history_and_coverage(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/regulator.sqlite"
    repo = Repository(db)
    repo.add_project("GD-SZ-M14-01", "地铁14号线某站", "深圳", "secret-m14-000001", "龙岗区")
    repo.add_project("GD-SZ-TN-01", "某市政隧道", "深圳", "secret-tn-0000001", "南山区")
    run = CliRunner().invoke
    by = ["--by", "省厅 张三", "--db", db]

    ok = run(video_set_app, ["include", "GD-SZ-M14-01", "--category", "rail_transit", "--reason", "轨道交通车站",
                             "--date", "2026-10-08", *by])  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert ok.output.strip() == "2026-10-08 纳入 GD-SZ-M14-01 地铁14号线某站: 轨道交通"
    assert run(video_set_app, ["include", "GD-SZ-TN-01", "--category", "municipal_tunnel", "--reason",
                               "盾构隧道", *by]).exit_code == 0  # fmt: skip
    bad = run(video_set_app, ["include", "GD-SZ-TN-01", "--category", "bridge", "--reason", "桥", *by])
    assert bad.exit_code == 2 and "rail_transit" in bad.output
    gone = run(video_set_app, ["remove", "GD-SZ-M14-01", "--reason", "车站封顶", "--date", "2026-11-20", *by])
    assert gone.exit_code == 0 and "移出" in gone.output
    listed = run(video_set_app, ["list", "--db", db])
    assert "GD-SZ-TN-01" in listed.output and "GD-SZ-M14-01" not in listed.output
    assert "1 projects in the set" in listed.output

    history = run(video_set_app, ["history", "GD-SZ-M14-01", "--db", db]).output.splitlines()
    assert [line.split("\t") for line in history] == [
        ["2026-10-08", "纳入", "GD-SZ-M14-01", "轨道交通", "轨道交通车站", "省厅 张三"],
        ["2026-11-20", "移出", "GD-SZ-M14-01", "轨道交通", "车站封顶", "省厅 张三"],
    ]

    unseen = run(video_set_app, ["coverage", "--db", db])
    assert unseen.exit_code == 1 and "未巡查\tGD-SZ-TN-01" in unseen.output
    inspector = Actor("李四", "regulator")
    patrol = patrol_duty.start(repo, inspector)
    patrol_duty.seen(repo, inspector, patrol["id"], patrol_duty.Sighting("GD-SZ-TN-01", "cam-1"))
    seen = run(video_set_app, ["coverage", "--db", db])
    assert seen.exit_code == 0, seen.output
    assert "已巡查\tGD-SZ-TN-01" in seen.output and "1 of 1 projects" in seen.output
    repo.close()
