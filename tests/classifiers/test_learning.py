"""Learning from corrections, on sentences written for this test (no shared data needed)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from classifiers import Directory
from classifiers.datasets import LabelledText
from classifiers.lexicon import AliasMatcher
from classifiers.scoring import Scorer, margin
from classifiers.text import TextAnalyzer
from classifiers.training import directory_examples, fit_models, tokenize_rows

# A confusable pair: elevator faults in residential compounds (特种设备 → 市场监管, SJ) and
# property-management disputes in the same compounds (物业 → 住建, ZJ).
PLACES = [
    "幸福小区",
    "翠园小区",
    "江北新村",
    "书香苑",
    "学院路宿舍",
    "滨江花园",
    "东风路安置小区",
    "状元洲小区",
    "桃花新城",
    "宝庆名城",
]
LIFT = [
    "3栋电梯经常停运，老人上下楼很困难",
    "电梯运行时抖动异响，坐着很害怕",
    "电梯年检合格证过期了还在使用",
    "电梯困人半小时维保单位才来",
    "电梯维保公司从来不按时保养",
]
PROPERTY = [
    "物业公司不打扫楼道，垃圾堆了好几天",
    "物业擅自涨物业费，也不公示账目",
    "物业把绿地改成停车位收费",
    "业主委员会选举被物业操纵",
    "物业挪用维修基金不给说法",
]


def _rows(places: list[str]) -> list[LabelledText]:
    rows = []
    for n, (place, lift) in enumerate(itertools.product(places, LIFT)):
        rows.append(LabelledText(f"l{n}", "SJ", "", f"{place}{lift}，请有关部门处理。"))
    for n, (place, prop) in enumerate(itertools.product(places, PROPERTY)):
        rows.append(LabelledText(f"p{n}", "ZJ", "", f"{place}{prop}，请有关部门处理。"))
    return rows


def _accuracy(directory: Directory, analyzer: TextAnalyzer, examples, held_out) -> float:
    pair = fit_models(examples, directory)
    scorer = Scorer(directory, pair.category, pair.department, AliasMatcher(directory))
    right = 0
    for e in held_out:
        best, _ = margin(scorer.score(e.title, e.body).department_scores)
        right += pair.department.classes[best] == e.department
    return right / len(held_out)


def test_corrections_raise_accuracy_on_the_pair(
    directory: Directory, analyzer: TextAnalyzer, tmp_path: Path
) -> None:
    train_rows = _rows(PLACES[:5])  # 25 SJ + 25 ZJ corrections
    assert len(train_rows) == 50
    held_out, _ = tokenize_rows(analyzer, directory, _rows(PLACES[5:]))
    base = directory_examples(analyzer, directory)
    corrections, _ = tokenize_rows(analyzer, directory, train_rows, "correction")
    before = _accuracy(directory, analyzer, base, held_out)
    after = _accuracy(directory, analyzer, base + corrections, held_out)
    assert after > before
    assert after >= 0.9


def test_corrections_file_round_trip(tmp_path: Path) -> None:
    from classifiers.datasets import read_corrections, write_corrections

    path = tmp_path / "corrections.jsonl"
    write_corrections(path, [("电梯困人", "SJ", None), ("物业乱收费", "ZJ", "物业")])
    rows = read_corrections(path)
    assert [(r.text, r.label, r.title) for r in rows] == [
        ("电梯困人", "SJ", ""),
        ("物业乱收费", "ZJ", "物业"),
    ]
    tsv = tmp_path / "corrections.tsv"
    tsv.write_text("text\tdepartment_code\n电梯困人\tSJ\n", encoding="utf-8")
    assert read_corrections(tsv)[0].label == "SJ"
    assert json.loads(path.read_text(encoding="utf-8").splitlines()[0])["department_code"] == "SJ"
