from __future__ import annotations

import pytest

from classifiers import Directory
from classifiers.lexicon import AliasMatcher
from classifiers.text import TextAnalyzer


@pytest.mark.parametrize(
    ("sentence", "code", "source"),
    [
        ("这个问题我已经找过住建局了", "ZJ", "alias"),
        ("请邵阳市住房和城乡建设局尽快处理", "ZJ", "alias"),
        ("住房城乡建设局一直没有答复", "ZJ", "alias"),
        ("希望住房和城乡建没局管一管", "ZJ", "fuzzy"),  # typo: 没 for 设
        ("我打电话给人社局，没人接", "RS", "alias"),
        ("已向市场监督管里局投诉过", "SJ", "fuzzy"),  # typo: 里 for 理
        ("国家电网的抢修人员迟迟不来", "GD", "alias"),
    ],
)
def test_alias_and_typo_matching(
    directory: Directory, analyzer: TextAnalyzer, sentence: str, code: str, source: str
) -> None:
    hits = AliasMatcher(directory).match(analyzer.tokens(sentence))
    assert code in hits
    assert hits[code][0].source == source
    assert 0.85 <= hits[code][0].weight <= 1.0


def test_no_alias_in_plain_sentence(directory: Directory, analyzer: TextAnalyzer) -> None:
    hits = AliasMatcher(directory).match(analyzer.tokens("今天天气很好，我们去公园散步"))
    assert hits == {}
