from bot.texts.reports import _reason
from classifiers import Evidence


def test_learned_word_shows_only_its_weight() -> None:
    evidence = Evidence("菜市场", "乡镇人民政府（街道办事处）", 0.08, "lexicon")
    assert _reason(evidence) == "“菜市场”（+0.08）"


def test_fuzzy_match_shows_what_it_matched() -> None:
    evidence = Evidence("住房城乡建设", "住房和城乡建设局", 0.91, "fuzzy")
    assert _reason(evidence) == "“住房城乡建设”≈“住房和城乡建设局”（+0.91）"


def test_user_text_in_evidence_is_escaped() -> None:
    assert _reason(Evidence("<b>", "<b>", 1.0, "alias")) == "“&lt;b&gt;”（+1.00）"
