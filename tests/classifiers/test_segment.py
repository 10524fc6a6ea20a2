"""The Segmenter cuts exactly as jieba's ``Tokenizer.cut(text, HMM=False)`` does."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import jieba
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers import Directory
from classifiers.catalogue import shipped_terms
from classifiers.datasets import SHARED_DATA
from classifiers.segment import Segmenter
from classifiers.text import TextAnalyzer, dictionary_words, jieba_tokenizer

DEV_TSV = SHARED_DATA / "dev.tsv"

SENTENCES = [
    "",
    "的",
    "。",
    "我们小区楼下有人乱搭乱建，占用了公共通道",
    "双清区龙须塘街道的路灯坏了，城步苗族自治县儒林镇停水三天。",
    "多次向住房和城乡建设局、住房城乡建设局、市住建局反映，没有回音",
    "2023年5月12日下午3点，XX路与YY街交叉口的红绿灯坏了",
    "大祥区城南街道办事处电话0739-5123456一直打不通！！！",
    "楼下KTV每天营业到凌晨3:30，噪音超过60dB，严重扰民",
    "请问iPhone 14 Pro在哪里修？价格上涨了15.5%，多了1,200元",
    "快递单号SF1234567890CN三天没更新，EMS的效率太低",
    "网址 http://www.example.com/a_b?x=1&y=2 打不开，邮箱 test.user@example.com 没回复",
    "C++和C#培训班乱收费，a-b_c.d%e+f#g&h",
    "a b c d e f g 1 2 3",
    "😀😀 小区电梯又坏了！！！🚫老人上不了楼😭",
    "第一行\n第二行\r\n第三行\t制表符\r第四行\n\n",
    "  前后有空格  ",
    "\u3000全角空格\u3000开头，全角字符ＡＢＣ１２３和半角ABC123",
    "繁體字：臺灣的醫療費用報銷太慢了",
    "「引号」『书名』【方括号】〔括号〕——破折号……省略号",
    "ⅰⅱⅲ①②③ 罗马数字和圈码",
    "こんにちは、안녕하세요，外文混排",
    "\u9fd6\u9fea\u9fff 超出 jieba 字符范围的汉字",
    "三千五百元的补贴至今没有发放",
    "人人人人人人人人人人人人",
    "包工头拖欠农民工工资十几万元找了劳动监察大队也没有结果希望有关部门尽快处理谢谢",
    "长江大桥南京市长江大桥研究生命起源结婚的和尚未结婚的",
]


@pytest.fixture(scope="session")
def reference(directory: Directory) -> Any:
    """jieba itself with the analyzer's custom words (jieba, not jieba_fast: the model's
    tokens were always jieba's)."""
    return jieba_tokenizer(dictionary_words(directory, shipped_terms()))


def _jieba_words(tokenizer: Any, text: str) -> list[str]:
    return list(tokenizer.cut(text, HMM=False))


def _dev_texts(limit: int = 300) -> list[str]:
    if not DEV_TSV.is_file():
        pytest.skip(f"{DEV_TSV} not present")
    texts: list[str] = []
    with DEV_TSV.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            texts += [row.get("title") or "", row.get("text") or ""]
            if len(texts) >= 2 * limit:
                break
    return texts


@pytest.mark.parametrize("text", SENTENCES)
def test_cuts_like_jieba(analyzer: TextAnalyzer, reference: Any, text: str) -> None:
    assert analyzer.segmenter.cut(text) == _jieba_words(reference, text)


def test_cuts_shared_reports_like_jieba(analyzer: TextAnalyzer, reference: Any) -> None:
    texts = _dev_texts()
    differ = [t[:40] for t in texts if analyzer.segmenter.cut(t) != _jieba_words(reference, t)]
    assert differ == []


def test_custom_words_reach_the_segmenter(analyzer: TextAnalyzer) -> None:
    assert "龙须塘街道" in analyzer.segmenter.cut("双清区龙须塘街道的路灯坏了")
    assert len(analyzer.segmenter) > 300_000  # jieba's whole dictionary, prefixes included


# A tiny dictionary that exercises the corners of jieba's route search: exact score ties
# (甲乙|丙 vs 甲|乙丙), a bare prefix (甲乙丙 of 甲乙丙丁), a zero-frequency word (戊己),
# dictionary words with Latin letters and digits (a甲, 1号) and characters it lacks (庚).
_TINY_DICT = "甲 3\n乙 3\n丙 3\n丁 1\n甲乙 2\n乙丙 2\n甲乙丙丁 5\n戊己 0\na甲 4\n1号 2\n"
_ALPHABET = "甲乙丙丁戊己庚号aZ19 .-_，\n😀"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Segmenter]:
    path: Path = tmp_path_factory.mktemp("dict") / "tiny.txt"
    path.write_text(_TINY_DICT, encoding="utf-8")
    tokenizer = jieba.Tokenizer(dictionary=str(path))
    tokenizer.initialize()
    return tokenizer, Segmenter(tokenizer)


def test_ties_go_to_the_longer_first_word(tiny: tuple[Any, Segmenter]) -> None:
    tokenizer, segmenter = tiny
    assert segmenter.cut("甲乙丙") == _jieba_words(tokenizer, "甲乙丙") == ["甲乙", "丙"]


@settings(max_examples=400, deadline=None)
@given(text=st.text(alphabet=_ALPHABET, max_size=24))
def test_cuts_like_jieba_on_a_tiny_dictionary(tiny: tuple[Any, Segmenter], text: str) -> None:
    tokenizer, segmenter = tiny
    assert segmenter.cut(text) == _jieba_words(tokenizer, text)


_KEEP = re.compile(r"[\u4e00-\u9fffA-Za-z]")


def _reference_tokens(analyzer: TextAnalyzer, reference: Any, text: str) -> list[str]:
    """What ``tokens`` means, computed the plain way: no cache, jieba's words."""
    words = _jieba_words(reference, TextAnalyzer.clean(text))
    lowered = [w.lower() for w in words if _KEEP.search(w)]
    return [w for w in lowered if w not in analyzer.stopwords]


def test_tokens_equal_the_plain_computation(
    analyzer: TextAnalyzer, reference: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [*SENTENCES, "\x00控制\x1f字符\x7f", "ABC Def 停水"]
    if DEV_TSV.is_file():
        texts += _dev_texts(100)
    expected = [_reference_tokens(analyzer, reference, t) for t in texts]
    assert [analyzer.tokens(t) for t in texts] == expected
    assert [analyzer.tokens(t) for t in texts] == expected  # now from the cache
    monkeypatch.setattr("classifiers.text._NORMAL_CACHE", 5)  # a full cache is emptied...
    unseen = [f"编号QX{i}的楼栋" for i in range(20)]  # ... when unseen words (QX0…) arrive
    expected = [_reference_tokens(analyzer, reference, t) for t in [*unseen, *texts]]
    assert [analyzer.tokens(t) for t in [*unseen, *texts]] == expected
    assert len(analyzer._normal) <= 5
