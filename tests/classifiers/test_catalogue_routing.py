"""The issue's examples: plain reports route by the 派单目录 to the unit whose duty it is,
with evidence a deputy can read (the report's whole words tied to the matter)."""

from __future__ import annotations

import re

import pytest

from classifiers import Classification, Router
from classifiers.text import TextAnalyzer


def _reasons(result: Classification) -> list[str]:
    return [w for e in result.candidates[0].evidence for w in (e.words or (e.term,))]


def _routes(router: Router, text: str, code: str) -> Classification:
    result = router.classify(text)
    got = [(c.department_code, c.confidence) for c in result.candidates]
    assert result.department_code == code, got
    return result


def test_street_light_goes_to_cg_with_the_word_that_decides(router: Router) -> None:
    text = "人民路与解放路交叉口的路灯已经损坏两周，晚上行人经过很不安全，请尽快修复。"
    result = _routes(router, text, "CG")
    assert "路灯" in _reasons(result)
    matter = result.candidates[0].evidence[0]
    assert matter.source == "matter" and matter.matched == "路灯不亮或损坏"
    assert result.matters[0].unit == "CG" and result.matters[0].name == "路灯不亮或损坏"
    assert result.auto_route


def test_no_invoice_goes_to_the_tax_bureau(router: Router) -> None:
    result = _routes(router, "饭店吃饭不给开发票，说开发票要加税点，涉嫌逃税。", "SWJ")
    assert "开发票" in _reasons(result)


def test_veterans_resettlement_goes_to_veterans_affairs(router: Router) -> None:
    text = "我是去年退伍的退役军人，安置工作到现在还没有落实，想问问退役军人安置政策。"
    _routes(router, text, "TYJR")


def test_disability_allowance_goes_to_the_disabled_persons_federation(router: Router) -> None:
    _routes(router, "我母亲是二级残疾，残疾人补贴已经三个月没有发放了。", "CL")


def test_broken_traffic_lights_go_to_the_traffic_police(router: Router) -> None:
    _routes(router, "五一路口的红绿灯坏了好几天，车辆乱成一团，差点出事故。", "JJ")


def test_missing_manhole_cover_goes_to_cg(router: Router) -> None:
    result = _routes(router, "小区外面马路上的井盖缺失，晚上路过的人很容易掉进去。", "CG")
    assert any("井盖" in w for w in _reasons(result))


def test_phone_fraud_goes_to_the_police(router: Router) -> None:
    _routes(router, "我父亲接到电话诈骗，对方冒充公检法，被骗走了两万元养老钱。", "GA")


def test_blocked_fire_lane_goes_to_the_fire_brigade(router: Router) -> None:
    _routes(router, "小区消防通道被占，私家车天天停在里面，万一着火消防车根本进不来。", "XF")


def test_square_dance_noise_goes_to_the_police(router: Router) -> None:
    # 社会生活噪声 (广场舞音响) is the police's duty by the 噪声污染防治法
    text = "楼下广场舞音响扰民，每天晚上放到十点多，声音特别大，孩子没法写作业。"
    _routes(router, text, "GA")


def test_barbecue_smoke_in_a_street_named_address_is_not_the_street_office(
    router: Router,
) -> None:
    text = "大祥区城西街道红旗路一家烧烤店油烟直排，熏得整栋楼窗户都不敢开。"
    result = router.classify(text)
    assert result.department_code in ("CG", "STHJ")
    assert result.department_code != "XZJD"
    assert all(e.term != "城西街道" for c in result.candidates for e in c.evidence)


def test_a_named_water_company_routes_there_and_is_sure(router: Router) -> None:
    result = _routes(router, "请自来水公司派人来看看，我们这栋楼的水管漏了一整天。", "GS")
    assert result.auto_route and result.confidence >= result.threshold
    assert any(e.source == "alias" for e in result.candidates[0].evidence)


def test_catalogue_terms_stay_whole(analyzer: TextAnalyzer) -> None:
    for word in ("窨井盖", "开发票", "红绿灯", "退役军人", "残疾人补贴"):
        assert word in analyzer.words(f"关于{word}的问题"), word


# Readability: never fragments, markup, category names, duplicates or non-positive weights.

READABILITY_TEXTS = [
    "人民路与解放路交叉口的路灯已经损坏两周，晚上行人经过很不安全，请尽快修复。",
    "<script>alert('rt')</script><p>小区门口的<b>下水道</b>堵了，污水漫到路上。</p>",
    "城西街道道经巷自来水管爆了，来水一直发黄，请自来水公司处理。",
    "我们村的村务一直不公开，村干部把集体的山林卖了也不说卖了多少钱。",
    "异地就医住院的费用回来报销，医保窗口说材料不全。",
]


@pytest.mark.parametrize("text", READABILITY_TEXTS)
def test_evidence_is_whole_words_of_the_report(router: Router, text: str) -> None:
    result = router.classify(text)
    words = set(result.tokens)
    clean = re.sub(r"<[^>]*>", "", text)
    categories = set(router.directory.categories)
    for cand in result.candidates:
        assert len(cand.evidence) <= 3
        seen: set[str] = set()
        for e in cand.evidence:
            assert e.weight > 0, e
            assert e.source in ("matter", "alias", "lexicon", "fuzzy"), e
            assert e.term not in categories and e.matched not in categories, e
            shown = e.words or (e.term,)
            for w in shown:
                assert w not in seen, f"duplicate {w}"
                seen.add(w)
                assert w in clean, f"{w} not in the report"
                assert len(w) >= 2, f"fragment {w}"
                if e.source == "lexicon":
                    assert w in words, f"{w} is not one of the report's words"
            assert "rt" not in shown and "script" not in shown


def test_markup_is_not_read(router: Router) -> None:
    result = router.classify("<script>var rt = 1;</script><div>路灯不亮</div>")
    assert "rt" not in result.tokens and "script" not in result.tokens
    assert result.department_code == "CG"
