"""The hot-work checks reach the regulator by their Chinese names, from the kind registry (regulator/names.py):
each rule the welder kind declares (hot work seen by a camera without a permit, 疑似无动火证作业, among them), and a
newer gateway's hot_work rule the registry does not know yet named by its family (动火作业), never by its id
(docs/standards.md §18)."""

from __future__ import annotations

from regulator.names import kind_name, rule_name, rule_names


def test_every_hot_work_check_has_its_chinese_name_at_the_regulator() -> None:
    names = rule_names()
    assert {r: names[r] for r in names if r.startswith("hot_work.")} == {
        "hot_work.unpermitted": "无证动火作业",
        "hot_work.fire_watch": "动火监护人不在场",
        "hot_work.unclosed": "动火后未检查关闭许可证",
        "hot_work.wind": "五级以上风力露天动火",
        "hot_work.zone_unpermitted": "疑似无动火证作业",
    }
    assert kind_name("hot_work.zone_unpermitted") == "动火作业"
    assert rule_name("hot_work.fire_watch") == "动火监护人不在场"
    assert kind_name("hot_work.fire_watch") == "动火作业"
    assert rule_name("hot_work.smoke_after") == "动火作业 其他检查项"
