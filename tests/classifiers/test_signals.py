from __future__ import annotations

import pytest

from classifiers.signals import appeal_type, urgency


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        ("举报化工厂夜间偷排废水", "我要举报城郊一家化工厂每天半夜往河里偷排废水。", "举报"),
        ("投诉物业乱收费", "小区物业乱收停车费，业主多次投诉没人管。", "投诉"),
        ("请问异地就医如何报销", "请问在长沙住院的费用回邵阳怎么报销？需要什么材料？", "咨询"),
        ("建议增设公交站台", "建议在学院路口增设一个公交站台，方便学生出行。", "建议"),
        ("孤寡老人生活困难求助", "村里一位孤寡老人生活非常困难，恳请帮助解决。", "求助"),
        ("", "路灯坏了", "求助"),
    ],
)
def test_appeal_type(title: str, text: str, expected: str) -> None:
    kind, evidence = appeal_type(title, text)
    assert kind == expected
    if text != "路灯坏了":
        assert evidence and all(e.matched == expected for e in evidence)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("楼道里闻到很浓的煤气味，怀疑燃气泄漏", "119"),
        ("对面居民楼三楼着火了，浓烟很大", "119"),
        ("暴雨后后山塌方，有一户人家被埋", "119"),
        ("有小孩在资江边溺水，快来人", "110"),
        ("路边电线断落在水坑里，好像漏电了", "110"),
        ("菜市场门口有老人晕倒了，一直昏迷不醒", "120"),
    ],
)
def test_emergencies_name_the_right_number(text: str, number: str) -> None:
    level, evidence, emergency = urgency("", text)
    assert level == "紧急"
    assert emergency is not None and emergency.number == number
    assert emergency.reason and evidence


@pytest.mark.parametrize(
    "text",
    [
        "小区消防通道被堵，存在火灾隐患，希望排查",
        "建议加强燃气泄漏预防宣传",
        "路灯坏了一个星期，晚上很黑",
    ],
)
def test_hazard_talk_is_not_an_emergency(text: str) -> None:
    level, _, emergency = urgency("", text)
    assert emergency is None
    assert level == "一般"


def test_urgent_without_number() -> None:
    level, evidence, emergency = urgency("井盖丢失", "人行道上井盖丢失，晚上很容易掉下去")
    assert level == "紧急" and emergency is None
    assert any(e.term == "井盖丢失" for e in evidence)
