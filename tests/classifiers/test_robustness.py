from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifiers import Router

_MIXED = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"])
    | st.sampled_from(list("住建局城管噪音扰民拖欠工资火灾🙂<>&\x00\x07\u200b\ufeff邵东市")),
    max_size=2000,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=_MIXED, title=st.none() | _MIXED, top_k=st.integers(-2, 50))
def test_classify_never_crashes(router: Router, text: str, title: str | None, top_k: int) -> None:
    result = router.classify(text, title=title, top_k=top_k)
    assert 0.0 <= result.confidence <= 1.0
    assert result.candidates
    assert result.appeal_type in ("咨询", "求助", "投诉", "举报", "建议")
    assert result.urgency in ("紧急", "一般")


def test_awkward_inputs(router: Router) -> None:
    for text in [
        "",
        " ",
        "🙂" * 500,
        "<script>alert('住建局')</script>",
        "\x00\x01\x02",
        "a" * 5000,
        "住建局\ud800乱搭乱建",  # a lone surrogate cannot come from Telegram, but must not crash
    ]:
        assert router.classify(text).candidates
    assert router.classify("路灯坏了", location=(float("nan"), 1e9)).district is None
