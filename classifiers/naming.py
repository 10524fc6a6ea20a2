"""Departments the deputy names (请自来水公司…, 希望交警来管一管), read in context.

A name asked to act counts strongly; a name that is only part of a place (税务局宿舍,
供电局家属区, 教育路) counts for nothing; a name said in passing counts a little.
Works on the report's jieba words (one segmentation), with dict lookups only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .directory import Directory

ASKED = 1.0  # 请税务部门说明…, 希望城管查一下
MENTIONED = 0.35  # 找了住建局没人管, 交警说…
# before a name: someone is asked to act
_ASK_BEFORE = frozenset(
    """请 请求 恳请 希望 要求 建议 麻烦 让 由 呼吁 提请 督促 责成 联系 报告 上报 转交 转给
    转 交给 反映 向""".split()
)
# after a name: it is asked to act
_ASK_AFTER = frozenset(
    """来 出面 查 查查 查一查 查处 管 管管 管一管 处理 帮忙 帮 检查 派 派人 督促 协调 说明
    解释 核实 调查
    解决 介入 整治 维修 抢修 修 看看 看一看 落实 回复 答复 出个 给个 依法 尽快 赶紧 抓紧""".split()
)
# after a name: the name is part of a place, not the unit
_PLACE_AFTER = frozenset(
    """宿舍 老宿舍 家属区 家属院 家属楼 小区 新村 大院 院子 路 街 巷 旁边 对面 附近 门口
    楼下 后面 前面
    隔壁 大楼 那边 这边 那一片 一带 片区 宿舍楼 站 公交站""".split()
)
_UNIT_ENDINGS = re.compile(r"(局|委员会|委|办公室|办|公司|中心|支队|大队|所|联合会)$")
_MAX_JOIN = 4


@dataclass(frozen=True, slots=True)
class Named:
    code: str
    name: str  # the words as written
    weight: float


class NamedUnits:
    def __init__(self, directory: Directory) -> None:
        table: dict[str, set[str]] = {}
        for dept in directory.departments:
            names = directory.names(dept)
            for name in names:
                if len(name) >= 2:
                    table.setdefault(name.lower(), set()).add(dept.code)
                stem = _UNIT_ENDINGS.sub("", name)
                if len(stem) >= 2 and stem != name:  # 税务局 → 税务部门
                    table.setdefault(stem + "部门", set()).add(dept.code)
        self._table = {k: tuple(sorted(v)) for k, v in table.items()}
        self._prefixes = frozenset(k[:i] for k in self._table for i in range(1, len(k)))
        self._starts = self._prefixes | frozenset(self._table)
        self.names = frozenset(self._table)  # every name, alias and 部门 form

    def find(self, words: Sequence[str]) -> dict[str, Named]:
        """Department code -> the strongest naming of it in ``words`` (jieba words)."""
        out: dict[str, Named] = {}
        n = len(words)
        table, prefixes, starts = self._table, self._prefixes, self._starts
        for i in [i for i, w in enumerate(words) if w in starts]:
            phrase = ""
            for j in range(i, min(n, i + _MAX_JOIN)):
                phrase += words[j]
                codes = table.get(phrase)
                if codes is not None:
                    w = self._weight(words, i, j)
                    for code in codes:
                        old = out.get(code)
                        if old is None or w > old.weight:
                            out[code] = Named(code, phrase, w)
                if phrase not in prefixes:
                    break
        return {c: v for c, v in out.items() if v.weight > 0}

    @staticmethod
    def _weight(words: Sequence[str], i: int, j: int) -> float:
        after = words[j + 1] if j + 1 < len(words) else ""
        if after in _PLACE_AFTER or after[:2] in _PLACE_AFTER:
            return 0.0
        before = words[max(0, i - 2) : i]
        if any(b in _ASK_BEFORE for b in before) or after in _ASK_AFTER:
            return ASKED
        if after in ("的",) and j + 2 < len(words) and words[j + 2] in _PLACE_AFTER:
            return 0.0
        return MENTIONED
