"""Appeal type (咨询/求助/投诉/举报/建议), urgency and the emergency guard, from cue words.

These are rules on purpose: the labels are about how something is asked, not what it is
about, and the emergency guard must be predictable. Title cues count double.
"""

from __future__ import annotations

import re

from .types import AppealType, Emergency, Evidence, Urgency

# Order matters on ties: the more specific act wins (举报 over 投诉 over 求助...).
APPEAL_CUES: dict[str, tuple[str, ...]] = {
    "举报": (
        "举报",
        "检举",
        "揭发",
        "偷排",
        "涉嫌",
        "非法",
        "违法",
        "违规",
        "贪污",
        "受贿",
        "黑作坊",
    ),
    "投诉": (
        "投诉",
        "不作为",
        "乱收费",
        "态度恶劣",
        "扰民",
        "拖欠",
        "欠薪",
        "推诿",
        "刁难",
        "不满",
        "没人管",
        "无人管",
        "严重影响",
        "太差",
    ),
    "建议": ("建议", "提议", "希望增设", "能否增设", "呼吁", "倡议", "增设", "改进", "完善"),
    "求助": ("求助", "帮忙", "帮助", "救助", "请求", "困难", "恳请", "急需", "解决"),
    "咨询": (
        "咨询",
        "请问",
        "想问",
        "如何办理",
        "怎么办理",
        "怎样",
        "是否",
        "能否",
        "需要什么",
        "哪里办",
        "什么时候",
        "政策",
    ),
}
_ORDER: tuple[AppealType, ...] = ("举报", "投诉", "建议", "求助", "咨询")
_QUESTION = re.compile(r"[吗么][？?]|[？?]")

# (cues, number, advice). 隐患/预防 nearby means a hazard to fix, not an emergency now.
EMERGENCIES: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (
        ("燃气泄漏", "煤气泄漏", "天然气泄漏", "闻到煤气味", "闻到燃气味", "漏气"),
        "119",
        "疑似燃气泄漏：请立即关闭阀门、开窗通风、不要开关电器或动明火，到室外拨打119。",
    ),
    (
        ("火灾", "着火", "起火", "失火", "冒烟", "爆炸", "烧起来"),
        "119",
        "疑似火情：请立即撤离到安全地带并拨打119，不要乘坐电梯。",
    ),
    (
        ("塌方", "山体滑坡", "泥石流", "房屋倒塌", "坍塌", "垮塌", "被困"),
        "119",
        "疑似塌方或有人被困：请远离危险区域并立即拨打119求救。",
    ),
    (
        ("溺水", "落水", "掉进河里", "被水冲走"),
        "110",
        "有人落水：请立即拨打110（需要急救同时拨打120），不要贸然下水施救。",
    ),
    (
        ("漏电", "触电", "电线掉落", "电线断落", "高压线断"),
        "110",
        "疑似漏电或电线断落：请远离现场、不要触碰，拨打110并联系95598供电抢修。",
    ),
    (
        ("昏迷", "晕倒", "大出血", "呼吸困难", "心脏骤停", "中毒", "受伤严重"),
        "120",
        "有人身体危急：请立即拨打120急救电话。",
    ),
    (
        ("打架斗殴", "持刀", "抢劫", "绑架", "家暴", "砍人", "正在打人", "斗殴"),
        "110",
        "正在发生的违法犯罪或人身危险：请立即拨打110报警。",
    ),
)
URGENT_NO_NUMBER: tuple[str, ...] = (
    "井盖丢失",
    "井盖缺失",
    "没有井盖",
    "爆管",
    "水管爆裂",
    "大面积停电",
    "大面积停水",
    "电梯困人",
    "危房",
    "路面塌陷",
    "树木倒伏",
    "内涝",
)
_DEFUSERS = (
    "隐患",
    "风险",
    "预防",
    "防范",
    "演练",
    "宣传",
    "培训",
    "排查",
    "防止",
    "避免",
    "以前",
    "去年",
)
_WINDOW = 8
# Most reports hold no hazard cue at all: one regex search rules them all out at once.
_ANY_URGENT = re.compile(
    "|".join(re.escape(c) for c in (*(c for e in EMERGENCIES for c in e[0]), *URGENT_NO_NUMBER))
)

_CUES = [(kind, cue) for kind, cues in APPEAL_CUES.items() for cue in cues]
_CUES_BY_FIRST = {
    ch: [i for i, (_, cue) in enumerate(_CUES) if cue[0] == ch] for ch in {c[0] for _, c in _CUES}
}


def _cues_starting_in(part: str) -> list[tuple[str, str]]:
    """The cues whose first character occurs in ``part``, in APPEAL_CUES order: counting
    only these (a tenth of them) gives the same scores and evidence at a fraction of the cost."""
    found = _CUES_BY_FIRST.keys() & set(part)
    return [_CUES[i] for i in sorted(i for ch in found for i in _CUES_BY_FIRST[ch])]


def appeal_type(title: str, text: str) -> tuple[AppealType, list[Evidence]]:
    score: dict[str, float] = dict.fromkeys(_ORDER, 0.0)
    evidence: list[Evidence] = []
    for part, weight in ((title, 2.0), (text, 1.0)):
        for kind, cue in _cues_starting_in(part):
            n = part.count(cue)
            if n:
                score[kind] += weight * min(n, 3)
                evidence.append(Evidence(cue, kind, weight * min(n, 3), "cue"))
        if _QUESTION.search(part):
            score["咨询"] += 0.5 * weight
            evidence.append(Evidence("？", "咨询", 0.5 * weight, "cue"))
    best = max(_ORDER, key=lambda k: (score[k], -_ORDER.index(k)))
    if score[best] == 0:
        return "求助", []  # no cue: a deputy passing on a resident's need is a request for help
    return best, sorted((e for e in evidence if e.matched == best), key=lambda e: -e.weight)


def _defused(text: str, start: int, end: int) -> bool:
    around = text[max(0, start - _WINDOW) : end + _WINDOW]
    return any(d in around for d in _DEFUSERS)


def _find_live(text: str, cue: str) -> bool:
    pos = text.find(cue)
    while pos >= 0:
        if not _defused(text, pos, pos + len(cue)):
            return True
        pos = text.find(cue, pos + 1)
    return False


def urgency(title: str, text: str) -> tuple[Urgency, list[Evidence], Emergency | None]:
    """紧急 when an active hazard is described; the first matching hazard names the number."""
    full = f"{title}\n{text}"
    evidence: list[Evidence] = []
    emergency: Emergency | None = None
    if not _ANY_URGENT.search(full):
        return "一般", evidence, emergency
    for cues, number, advice in EMERGENCIES:
        for cue in cues:
            if _find_live(full, cue):
                evidence.append(Evidence(cue, f"紧急（{number}）", 1.0, "cue"))
                if emergency is None:
                    emergency = Emergency(number, advice)
    for cue in URGENT_NO_NUMBER:
        if _find_live(full, cue):
            evidence.append(Evidence(cue, "紧急", 0.5, "cue"))
    return ("紧急" if evidence else "一般"), evidence, emergency
