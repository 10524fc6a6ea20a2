from bot.texts.reports import _reason, _unsure
from classifiers import Evidence


def test_learned_word_shows_only_its_weight() -> None:
    evidence = Evidence("菜市场", "乡镇人民政府（街道办事处）", 0.08, "lexicon")
    assert _reason(evidence) == "“菜市场”（+0.08）"


def test_fuzzy_match_shows_what_it_matched() -> None:
    evidence = Evidence("住房城乡建设", "住房和城乡建设局", 0.91, "fuzzy")
    assert _reason(evidence) == "“住房城乡建设”≈“住房和城乡建设局”（+0.91）"


def test_user_text_in_evidence_is_escaped() -> None:
    assert _reason(Evidence("<b>", "<b>", 1.0, "alias")) == "点名“&lt;b&gt;”"


def test_matter_reason_names_the_words_the_matter_and_its_unit() -> None:
    evidence = Evidence(
        "路灯", "路灯不亮或损坏", 1.6, "matter", ("路灯", "坏了"), "CG-001", "市政设施"
    )
    text = _reason(evidence, "邵阳市城市管理和综合执法局")
    assert text == "“路灯”“坏了” → 事项“路灯不亮或损坏”（邵阳市城市管理和综合执法局·市政设施）"


def test_unsure_wording_never_beside_a_high_percentage() -> None:
    assert "把握不足" in _unsure(0.3)
    assert "把握不足" not in _unsure(0.85)
