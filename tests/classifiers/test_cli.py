"""train / eval / import-directory through the command line, without the shared data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifiers import modelfile
from classifiers.cli import main
from classifiers.datasets import SHARED_DATA, write_corrections
from classifiers.directory import DEPARTMENTS_FILE

CORRECTIONS = [
    ("小区电梯困人半小时，维保单位迟迟不到", "SJ", "电梯困人"),
    ("物业擅自涨物业费，也不公示账目", "ZJ", None),
    ("工地老板拖欠农民工工资两个月", "RS", "欠薪"),
    ("学校周末组织有偿补课", "JY", None),
]


def test_train_is_reproducible(tmp_path: Path) -> None:
    corrections = tmp_path / "corrections.jsonl"
    write_corrections(corrections, CORRECTIONS)
    outs = [tmp_path / "a" / "model.json", tmp_path / "b" / "model.json"]
    for out in outs:
        args = ["train", "--no-shared", "--corrections", str(corrections), "--out", str(out)]
        assert main(args) == 0
    assert outs[0].read_bytes() == outs[1].read_bytes()
    data = json.loads(outs[0].read_text(encoding="utf-8"))
    assert data["version"].startswith("clf-1-")
    assert "corrections" in data["inputs"]
    assert "物业擅自涨物业费" not in outs[0].read_text(encoding="utf-8")  # weights, not messages
    version, pair = modelfile.load(outs[0])
    assert version == data["version"] and "SJ" in pair.department.classes


def test_shipped_model_is_compact() -> None:
    assert modelfile.SHIPPED_MODEL.stat().st_size < 2_000_000


def test_eval_prints_tables(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tsv = tmp_path / "mini.tsv"
    lines = ["id\tlabel\ttitle\ttext"]
    for n, (text, code, title) in enumerate(CORRECTIONS * 3):
        lines.append(f"{n}\t{code}\t{title or ''}\t{text}")
    tsv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["eval", str(tsv)]) == 0
    out = capsys.readouterr().out
    assert "top-1" in out and "top-3" in out and "auto-routed" in out and "ms/report" in out
    assert "threshold chosen" in out and "confusions" in out


def test_import_directory_rejects_bad_file(tmp_path: Path) -> None:
    bad = json.loads(DEPARTMENTS_FILE.read_text(encoding="utf-8"))
    bad["departments"][1]["code"] = bad["departments"][0]["code"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    before = DEPARTMENTS_FILE.read_bytes()
    assert main(["import-directory", str(path)]) == 1
    assert DEPARTMENTS_FILE.read_bytes() == before


@pytest.mark.skipif(
    not (SHARED_DATA / "dev.tsv").is_file(), reason="../shared/data/dev.tsv not present"
)
def test_shared_labels_resolve_onto_the_directory() -> None:
    from classifiers import load_directory
    from classifiers.datasets import read_tsv

    directory = load_directory()
    for name in ("dev.tsv", "dept_dev.tsv"):
        rows = read_tsv(SHARED_DATA / name)
        resolved = [directory.resolve_label(r.label) for r in rows]
        assert sum(r is not None for r in resolved) / len(rows) > 0.98
