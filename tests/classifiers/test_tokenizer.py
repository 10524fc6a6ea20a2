from __future__ import annotations

import pytest

from classifiers.text import TextAnalyzer, features


@pytest.mark.parametrize(
    ("sentence", "word"),
    [
        ("我们小区楼下有人乱搭乱建，占用了公共通道", "乱搭乱建"),
        ("隔壁KTV每天晚上噪音扰民到凌晨两点", "噪音扰民"),
        ("包工头拖欠工资已经半年了", "拖欠工资"),
        ("学校门口小贩占道经营，学生过马路很危险", "占道经营"),
        ("我们向住建局反映过多次", "住建局"),
        ("双清区龙须塘街道的路灯坏了", "龙须塘街道"),
        ("城步苗族自治县儒林镇停水三天", "城步苗族自治县"),
    ],
)
def test_custom_dictionary_keeps_terms_whole(
    analyzer: TextAnalyzer, sentence: str, word: str
) -> None:
    assert word in analyzer.tokens(sentence)


def test_stop_words_and_punctuation_are_dropped(analyzer: TextAnalyzer) -> None:
    tokens = analyzer.tokens("尊敬的领导您好！我们的小区已经停水了，谢谢！")
    assert "的" not in tokens and "您好" not in tokens and "！" not in tokens
    assert "停水" in tokens and "小区" in tokens


def test_features_weight_title_and_add_bigrams() -> None:
    counts = features(["停水"], ["停水", "住房城乡建设"])
    assert counts["停水"] == 3  # once in the body, twice for the title
    assert counts["城乡"] == 1 and counts["住房"] == 1
