from __future__ import annotations

import pytest

from classifiers import Classification, Router


@pytest.mark.parametrize(
    ("title", "text", "code"),
    [
        ("拖欠工资", "我在邵东市一个工地干了八个月，包工头拖欠工资三万多元，至今不给。", "RS"),
        (
            "孩子入学",
            "孩子今年六岁，户口在大祥区，想问就近入学需要准备哪些材料，学校说学位已满。",
            "JY",
        ),
        ("占道经营", "北塔区状元洲街道路口流动摊贩占道经营，城管执法人员从来不来管。", "CG"),
        ("停电", "新邵县酿溪镇我们这片一周停电三次，电压也不稳，请供电公司处理。", "GD"),
    ],
)
def test_routes_clear_reports(router: Router, title: str, text: str, code: str) -> None:
    result = router.classify(text, title=title)
    assert result.department_code == code
    assert result.candidates[0].department_code == code


def test_result_shape_and_evidence(router: Router) -> None:
    result = router.classify(
        "双清区东风路一家化工厂每天晚上偷排废水，河水发黑发臭，我要举报。", title="化工厂偷排废水"
    )
    assert isinstance(result, Classification)
    assert result.version.startswith("clf-")
    assert len(result.candidates) == 3
    scores = [c.score for c in result.candidates]
    assert scores == sorted(scores, reverse=True)
    assert 0.0 <= result.confidence <= 1.0
    assert result.auto_route == (result.confidence >= result.threshold)
    assert result.department_code == "STHJ"
    assert result.category == "环境保护"
    assert result.appeal_type == "举报"
    assert result.district == "双清区"
    evidence = result.candidates[0].evidence
    terms = {w for e in evidence for w in (e.words or (e.term,))}
    assert terms & {"废水", "偷排", "化工厂", "排废", "发臭"}
    assert all(e.weight > 0 for e in evidence)
    assert result.matters and result.matters[0].unit == "STHJ"


def test_named_department_is_evidence(router: Router) -> None:
    result = router.classify("多次向住房和城乡建设局反映小区物业不作为，没有回音。")
    zj = next(c for c in result.candidates if c.department_code == "ZJ")
    assert any(e.source == "alias" and e.matched == "住房和城乡建设局" for e in zj.evidence)


def test_emergency_reaches_the_result(router: Router) -> None:
    result = router.classify("隆回县桃洪镇一栋居民楼着火了，里面还有人！")
    assert result.urgency == "紧急"
    assert result.emergency is not None and result.emergency.number == "119"
    assert result.district == "隆回县" and result.town == "桃洪镇"


def test_top_k_and_empty_input(router: Router) -> None:
    assert len(router.classify("路灯坏了", top_k=5).candidates) == 5
    empty = router.classify("")
    assert empty.candidates and not empty.auto_route
    assert empty.tokens == []


def test_an_address_gives_the_district_but_not_the_department(router: Router) -> None:
    """Place names say where, not what: 城西街道 in the address must not pull a lift breakdown
    towards the 街道办事处."""
    text = "小区3栋电梯停运两个月，物业不予维修，老人上下楼困难，请尽快协调处理。"
    plain = router.classify(text)
    located = router.classify(text, address="大祥区城西街道幸福小区3栋")
    assert located.candidates == plain.candidates
    assert (located.department_code, located.confidence) == (
        plain.department_code,
        plain.confidence,
    )
    assert (located.district, located.town) == ("大祥区", "城西街道")
    assert plain.district is None
