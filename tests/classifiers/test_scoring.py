"""The vectorised Scorer gives the scores and evidence of the plain per-term computation."""

from __future__ import annotations

import csv
import itertools
import math

import numpy as np
import pytest

from classifiers import Router
from classifiers.datasets import SHARED_DATA
from classifiers.linear import LinearModel, Vector
from classifiers.scoring import ALIAS_WEIGHT, CATEGORY_WEIGHT
from classifiers.text import features

REPORTS = [
    ("拖欠工资", "我在邵东市一个工地干了八个月，包工头拖欠工资三万多元，至今不给。"),
    ("", "多次向住房和城乡建设局反映小区物业不作为，没有回音。"),
    ("化工厂偷排废水", "双清区东风路一家化工厂每天晚上偷排废水，河水发黑发臭，我要举报。"),
    ("停电", "新邵县酿溪镇我们这片一周停电三次，电压也不稳，请供电公司处理。"),
    ("", "异地就医的住院费用回来报销，医保窗口说材料不全，到底需要哪些材料？"),
    ("烧烤店扰民", "楼下烧烤店每天营业到凌晨三点，油烟和噪音扰民，找了城管执法局也没用"),
    ("", "孩子今年该上小学，户口和房子都在学区内，学校却说学位已满。"),
    ("公交", "公交站台被拆了以后一直没有恢复，群众等车只能站在马路边，找过交通运输局"),
    ("", "菜市场有商贩缺斤少两，投诉到市场监管所也没人处理"),
    ("低保", "村里低保评定不公开，真正困难的家庭评不上，民政局的电话打不通"),
    ("", "住建局 住房城乡建设局 城管局 公安局 教育局 人社局 卫健委"),
    ("", "😀 ABC abc 123 xyz"),
    ("", ""),
]


def _reports() -> list[tuple[str, str]]:
    reports = list(REPORTS)
    path = SHARED_DATA / "dev.tsv"
    if path.is_file():
        with path.open(encoding="utf-8", newline="") as fh:
            rows = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
            reports += [(r["title"] or "", r["text"] or "") for r in itertools.islice(rows, 300)]
    return reports


@pytest.fixture(scope="module")
def tokenized(router: Router) -> list[tuple[list[str], list[str]]]:
    tokens = router.analyzer.tokens
    return [(tokens(title), tokens(text)) for title, text in _reports()]


def _same_vector(a: Vector, b: Vector) -> bool:
    return (
        np.array_equal(a.rows, b.rows)
        and a.values.tobytes() == b.values.tobytes()  # bit for bit
        and a.positions == b.positions
        and a.terms == b.terms
    )


def test_union_vocabulary_gives_each_models_own_vector(
    router: Router, tokenized: list[tuple[list[str], list[str]]]
) -> None:
    scorer = router.scorer
    for title, body in tokenized:
        counts = features(title, body)
        cvec, dvec = scorer._vectors(counts)
        assert _same_vector(cvec, scorer.cat.vectorize(counts))
        assert _same_vector(dvec, scorer.dep.vectorize(counts))


def _plain_vector(model: LinearModel, counts: dict[str, int]) -> dict[str, float]:
    values = {t: (1.0 + math.log(c)) * model.idf[t] for t, c in counts.items() if t in model.idf}
    norm = math.sqrt(sum(v * v for v in values.values()))
    return {t: v / norm for t, v in values.items()}


def _plain_scores(model: LinearModel, vector: dict[str, float]) -> list[float]:
    scores = list(model.bias)
    for term, value in vector.items():
        for ci, weight in model.weights.get(term, ()):
            scores[ci] += value * weight
    return scores


def test_scores_equal_the_plain_sums(
    router: Router, tokenized: list[tuple[list[str], list[str]]]
) -> None:
    scorer, directory = router.scorer, router.directory
    cat_of = {c: i for i, c in enumerate(scorer.cat.classes)}
    for title, body in tokenized:
        counts = features(title, body)
        scored = scorer.score(title, body)
        cat = _plain_scores(scorer.cat, _plain_vector(scorer.cat, counts))
        dep = _plain_scores(scorer.dep, _plain_vector(scorer.dep, counts))
        aliases = scorer.matcher.match([*title, *body])
        for i, code in enumerate(scorer.dep.classes):
            known = directory.has_department(code)
            ci = cat_of.get(directory.department(code).category) if known else None
            dep[i] += CATEGORY_WEIGHT * (cat[ci] if ci is not None else min(cat))
            if aliases.get(code):
                dep[i] += ALIAS_WEIGHT * aliases[code][0].weight
        assert scored.category_scores == pytest.approx(cat, rel=1e-9, abs=1e-12)
        assert scored.department_scores == pytest.approx(dep, rel=1e-9, abs=1e-12)
        assert scored.aliases == aliases


def _plain_evidence(
    weights: dict[str, dict[int, float]], vec: Vector, ci: int, top: int
) -> list[tuple[str, float]]:
    """The ``top`` largest term x weight products for class ``ci``, rounded as shown."""
    products = []
    for j in range(len(vec.positions)):
        weight = weights.get(vec.term(j), {}).get(ci, 0.0)
        products.append((vec.term(j), vec.values[j] * weight))
    best = sorted(products, key=lambda p: -p[1])[:top]  # stable: ties keep report order
    rounded = [(term, float(np.round(p, 4))) for term, p in best]
    return [(term, p) for term, p in rounded if p > 0.0]


def test_evidence_equals_the_plain_products(
    router: Router, tokenized: list[tuple[list[str], list[str]]]
) -> None:
    scorer = router.scorer
    models = (scorer.cat, scorer.dep)
    weights = [{t: dict(pairs) for t, pairs in m.weights.items()} for m in models]
    for title, body in tokenized:
        scored = scorer.score(title, body)
        vectors = (scored.category_vec, scored.department_vec)
        for model, w, vec in zip(models, weights, vectors, strict=True):
            wanted = list(range(len(model.classes)))
            got = model.contributions(vec, wanted, 5)
            assert got == {ci: _plain_evidence(w, vec, ci, 5) for ci in wanted}
