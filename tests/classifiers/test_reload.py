from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifiers import Router, RouterHolder
from classifiers.cli import main
from classifiers.modelfile import MODEL_DIR_ENV


def test_reload_swaps_in_the_newest_model(
    router: Router, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    holder = RouterHolder(router=router)
    assert holder.classify("路灯坏了").version == router.version
    out = tmp_path / "models" / "model-new.json"
    assert main(["train", "--no-shared", "--out", str(out)]) == 0
    monkeypatch.setenv(MODEL_DIR_ENV, str(out.parent))
    version = holder.reload()
    assert version == json.loads(out.read_text(encoding="utf-8"))["version"]
    assert holder.router.analyzer is router.analyzer  # tokenizer reused, not rebuilt
    assert holder.classify("路灯坏了").version == version
