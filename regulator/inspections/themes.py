"""一月一主题 (one theme a month, issue 53 §1): each theme's checklist, drawn from the standards' items, every
item with the article or clause it checks (docs/standards.md; 建质规〔2024〕5号 is the major-hazard criteria
of 2024, in force from 2024-12-13)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from regulator.channels.articles import ArticleError, Citation, cite

CRITERIA = "建质规〔2024〕5号"
# a citation as the checklists write it: the standard, then its article (第九条（四）, 第3.0.8条, 第6.3.1条第1款)
CITED = re.compile(r"^(?P<standard>.*?)\s*(?P<article>第[^（(]+)?(?P<item>[（(].*[）)])?$")


@dataclass(frozen=True, slots=True)
class Item:
    """One line of a checklist: what the inspector checks, and where the duty is written."""

    text: str
    article: str


@dataclass(frozen=True, slots=True)
class Theme:
    """A month's theme: its name and checklist."""

    key: str
    name: str
    items: tuple[Item, ...]


THEMES: dict[str, Theme] = {
    t.key: t
    for t in (
        Theme(
            "heights",
            "高处作业",
            (
                Item("电梯井口未设置防护门", f"{CRITERIA} 第九条（四）"),
                Item("高处作业吊篮超载使用，安全锁失效，安全绳未独立悬挂", f"{CRITERIA} 第九条（五）"),
                Item("临边防护栏杆高度、横杆、立杆间距及挡脚板是否符合要求", "JGJ 80-2016"),
                Item("六级以上强风、浓雾、沙尘暴时停止露天攀登与悬空高处作业", "JGJ 80-2016 第3.0.8条"),
                Item("雷雨、大雪、浓雾或大风等恶劣天气下违规进行高处作业", f"{CRITERIA} 第十五条（二）"),
            ),
        ),
        Theme(
            "cranes",
            "建机安拆",
            (
                Item("起重机械未经验收或未按规定办理使用登记即投入使用", f"{CRITERIA} 第八条（一）"),
                Item(
                    "安装、拆卸、顶升加节和附着前未对结构件、顶升机构、附着装置及高强度螺栓等进行检查",
                    f"{CRITERIA} 第八条（三）",
                ),
                Item("安全装置不齐全、失效或者被违规拆除、破坏", f"{CRITERIA} 第八条（四）"),
                Item("塔式起重机与周边建（构）筑物或群塔作业未保持安全距离", f"{CRITERIA} 第八条（八）"),
                Item("起重机最高处风速大于9.0 m/s时停止安装、拆卸、顶升作业", "GB 55034-2022 第3.4.7条"),
                Item("安装拆卸工、司机、信号工等特种作业人员未取得有效证书上岗", f"{CRITERIA} 第四条（三）"),
            ),
        ),
        Theme(
            "confined",
            "有限空间",
            (
                Item("有限空间未辨识、未设置安全警示标志", f"{CRITERIA} 第十一条（一）"),
                Item(
                    "未履行作业审批、未专项培训或未执行“先通风、再检测、后作业”", f"{CRITERIA} 第十一条（二）"
                ),
                Item("作业现场未设置监护人员或无专职安全员现场监督", f"{CRITERIA} 第十一条（三）"),
                Item(
                    "现场未配备气体检测、机械通风、呼吸防护及应急救援设施设备", f"{CRITERIA} 第十一条（四）"
                ),
                Item("作业前按氧气、可燃性气体、有毒有害气体的顺序进行气体检测", "GB 55034-2022 第3.9.3条"),
            ),
        ),
        Theme(
            "flood",
            "汛期",
            (
                Item("深基坑、高边坡（一级、二级）施工未进行第三方监测", f"{CRITERIA} 第五条（三）"),
                Item("支护结构或周边建筑物变形值超过设计变形控制值且未及时处置", f"{CRITERIA} 第五条（四）"),
                Item("潮湿、积水等特殊作业环境照明未按规定使用安全电压", f"{CRITERIA} 第十条（一）"),
                Item("隧道掌子面涌水未得到有效控制", f"{CRITERIA} 第十三条（一）"),
                Item(
                    "雷雨、大雪、浓雾或大风等恶劣天气下违规进行起重吊装、安拆或高处作业",
                    f"{CRITERIA} 第十五条（二）",
                ),
            ),
        ),
        Theme(
            "fire",
            "消防",
            (
                Item("动火作业办理动火许可证，签发人现场确认防火措施后签发", "GB 50720-2011 第6.3.1条第1款"),
                Item("动火前清除可燃物，不能移走的用不燃材料覆盖或隔离", "GB 50720-2011 第6.3.1条第3款"),
                Item("严禁在裸露的可燃材料上直接进行动火作业", "GB 50720-2011 第6.3.1条第5款"),
                Item("每个动火作业点配备灭火器材并设置1个动火监护人", "GB 50720-2011 第6.3.1条第6款"),
                Item("五级（含五级）以上风力时停止室外电焊、气割作业", "GB 50720-2011 第6.3.1条第7款"),
                Item(
                    "气瓶减压器、回火防止器完好，氧气瓶与乙炔瓶工作间距不小于5 m", "GB 50720-2011 第6.3.3条"
                ),
            ),
        ),
    )
}


def theme(key: str) -> Theme:
    """The theme with this key; ValueError naming the themes there are."""
    try:
        return THEMES[key]
    except KeyError:
        known = "、".join(f"{t.key}（{t.name}）" for t in THEMES.values())
        raise ValueError(f"no theme {key!r}: choose one of {known}") from None


def citation(text: str) -> Citation:
    """The citation written as ``text`` (a checklist item's ``article``, or what an inspector typed): the
    criteria's article and item make it major (regulator/channels/articles.py); another standard's clause, or
    the standard alone where standards.md names no clause, a general hazard. ArticleError for an article or
    item the criteria lack."""
    found = CITED.match(text.strip())
    if found is None:  # the pattern takes any text; kept for the type checker's sake
        raise ArticleError(
            f"{text!r} is no citation: write e.g. {CRITERIA} 第九条（四） or JGJ 80-2016 第3.0.8条"
        )
    standard = found["standard"].strip() or CRITERIA
    article, item = (found["article"] or "").strip(), found["item"] or ""
    if article or standard.replace(" ", "") == CRITERIA:
        return cite(standard, article, item)
    return Citation(standard, "", "", major=False)
