"""Corrections teach the router: after 50 admin corrections for a pair it confuses, held-out
reports of that pair (other wordings, never trained on) route better than before."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

from classifiers import Router, load_router
from classifiers.build import train
from classifiers.catalogue import Catalogue, load_catalogue
from classifiers.datasets import write_corrections
from classifiers.directory import Directory
from classifiers.text import TextAnalyzer

# Clothes-donation bins: the 商务 (SW, 再生资源回收) duty, which the catalogue does not spell
# out; without corrections they drift to the 城管 (CG, 垃圾桶/乱堆乱放) or elsewhere.
BINS = ["旧衣回收箱", "旧衣物回收箱", "衣物回收箱", "捐衣箱", "旧衣箱"]
WHERE = ["小区门口的", "菜场旁边的", "学校对面的", "我们楼下的", "公交站边上的", "巷子口的"]
WHAT = [
    "塞得满满的一直没人来收",
    "被人撬开了，衣服扔得满地都是",
    "上面写的公司电话打不通",
    "收走的衣服不知道拿去干什么了",
    "锈得不成样子，边角很锋利",
    "挡住了一半的过道",
    "里面的衣服被人拿出来在路边卖",
    "贴满了小孩子看不懂的字",
]
ASK = ["请有关部门管一管。", "想问问这是谁在管。", "希望尽快处理。", "盼复。"]
PAIR = ("SW", "CG")


def _texts(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    combos = list(itertools.product(WHERE, BINS, WHAT, ASK))
    rng.shuffle(combos)
    return ["".join(c) for c in combos[:n]]


def _accuracy(router: Router, texts: list[str]) -> float:
    return sum(router.classify(t).department_code == PAIR[0] for t in texts) / len(texts)


def _model(
    tmp: Path,
    name: str,
    analyzer: TextAnalyzer,
    directory: Directory,
    catalogue: Catalogue,
    corrections: Path | None,
) -> Path:
    out = tmp / name / "model.json"
    train(analyzer, directory, catalogue, [], corrections, out, training_reports=None)
    return out


def test_fifty_corrections_for_a_confusable_pair_raise_held_out_accuracy(
    tmp_path: Path, directory: Directory, analyzer: TextAnalyzer
) -> None:
    catalogue = load_catalogue(directory)
    texts = _texts(1, 90)
    taught, held_out = texts[:50], texts[50:]
    corrections = tmp_path / "corrections.jsonl"
    write_corrections(corrections, [(t, PAIR[0], None) for t in taught])
    before_model = _model(tmp_path, "before", analyzer, directory, catalogue, None)
    after_model = _model(tmp_path, "after", analyzer, directory, catalogue, corrections)
    before = load_router(before_model, directory=directory, analyzer=analyzer, catalogue=catalogue)
    after = load_router(after_model, directory=directory, analyzer=analyzer, catalogue=catalogue)
    assert not set(taught) & set(held_out)
    acc_before, acc_after = _accuracy(before, held_out), _accuracy(after, held_out)
    assert acc_before < 0.5, acc_before  # the pair is confused to begin with
    assert acc_after >= acc_before + 0.3 and acc_after >= 0.6, (acc_before, acc_after)
