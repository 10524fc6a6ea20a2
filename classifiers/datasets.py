"""Reading labelled data: eval/shared TSV files and the corrections the bot exports.

Corrections format (written by the bot, read by ``train --corrections``):

* JSON Lines (``.jsonl``), one object per line::

    {"text": "小区电梯又坏了", "department_code": "SJ", "title": null, "source": "admin"}

  ``text`` and ``department_code`` are required; ``title`` and ``source``
  ("admin" correction or "reassign" = operator 改派) are optional; other keys are ignored.
* or TSV (``.tsv``), UTF-8, header line with at least ``text`` and ``department_code``
  (optionally ``title``), no quoting, tabs/newlines inside fields replaced by spaces.
"""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass
from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
# Reports written for this city's units, labelled by department: the training side (the
# held-out deputy reports in evaluation/ are never trained on).
TRAINING_REPORTS = Path(__file__).parent / "data" / "training_reports.tsv"
TRAINING_WEIGHT = 2.0
csv.field_size_limit(sys.maxsize)


@dataclass(frozen=True, slots=True)
class LabelledText:
    id: str
    label: str  # department code/name or first-level category
    title: str
    text: str
    weight: float = 1.0


class DataFormatError(ValueError):
    pass


def read_tsv(path: Path) -> list[LabelledText]:
    """Read ``id, label, title, text`` (the label column may be called label or dept)."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if header is None:
            return []
        cols = {name.strip().lower(): i for i, name in enumerate(header)}
        label_col = cols.get("label", cols.get("dept", cols.get("department_code")))
        if label_col is None or "text" not in cols:
            raise DataFormatError(f"{path}: header needs label (or dept) and text columns")
        id_col, title_col, text_col = cols.get("id"), cols.get("title"), cols["text"]
        rows = []
        for n, row in enumerate(reader, start=2):
            if not row or len(row) <= max(label_col, text_col):
                continue
            rows.append(
                LabelledText(
                    id=row[id_col] if id_col is not None else str(n),
                    label=row[label_col].strip(),
                    title=row[title_col] if title_col is not None and title_col < len(row) else "",
                    text=row[text_col],
                )
            )
        return rows


def read_corrections(path: Path, weight: float = 3.0) -> list[LabelledText]:
    """Read a corrections export (JSONL or TSV, see module doc); ``weight`` > 1 because a
    human decided each one and they describe this city, not the shared data's city."""
    if path.suffix.lower() == ".tsv":
        return [
            LabelledText(r.id, r.label, r.title, r.text, weight) for r in read_tsv(path) if r.label
        ]
    out = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                text, code = str(obj["text"]), str(obj["department_code"]).strip()
            except (ValueError, KeyError, TypeError) as exc:
                raise DataFormatError(f"{path}:{n}: {exc}") from exc
            title = obj.get("title") or ""
            out.append(LabelledText(str(obj.get("id", n)), code, str(title), text, weight))
    return out


def write_corrections(path: Path, rows: list[tuple[str, str, str | None]]) -> None:
    """Write (text, department_code, title) rows as JSONL; a helper for the bot and tests."""
    with path.open("w", encoding="utf-8") as f:
        for text, code, title in rows:
            obj = {"text": text, "department_code": code, "title": title}
            f.write(json.dumps(obj, ensure_ascii=False) + "\n")


def shared_files(shared: Path = SHARED_DATA) -> list[Path]:
    """The labelled files of ../shared/data that training uses, when present."""
    return [p for p in (shared / "dev.tsv", shared / "dept_dev.tsv") if p.is_file()]
