"""The versioned model file: both linear models, JSON with sorted keys, reproducible."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from .calibration import RoutingCalibration
from .directory import DATA_DIR
from .linear import LinearModel
from .training import HYPER, ModelPair

SHIPPED_MODEL = DATA_DIR / "model.json"
MODEL_DIR_ENV = "CLASSIFIER_MODEL_DIR"  # where `train --out` files go in a deployment
FORMAT = 1


def dumps(pair: ModelPair, inputs: dict[str, Any]) -> str:
    """Serialise; the version is a hash of the content, so same inputs -> same file."""
    body = {
        "format": FORMAT,
        "hyper": HYPER,
        "inputs": inputs,
        "category": pair.category.to_json(),
        "department": pair.department.to_json(),
    }
    if pair.routing is not None:
        body["routing"] = pair.routing.to_json()
    digest = hashlib.sha256(
        json.dumps(body, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    body["version"] = f"clf-{FORMAT}-{digest[:12]}"
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"


def save(pair: ModelPair, inputs: dict[str, Any], path: Path) -> str:
    text = dumps(pair, inputs)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)  # atomic: a reloading bot never reads half a file
    return str(json.loads(text)["version"])


def load(path: Path) -> tuple[str, ModelPair]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise ValueError(f"{path}: unsupported model format {data.get('format')!r}")
    routing = RoutingCalibration.from_json(data["routing"]) if data.get("routing") else None
    pair = ModelPair(
        LinearModel.from_json(data["category"]),
        LinearModel.from_json(data["department"]),
        routing,
    )
    return str(data["version"]), pair


def newest_model(model_dir: Path | None = None) -> Path:
    """The most recently written model in the deployment's model dir, else the shipped one."""
    folder = model_dir or (
        Path(os.environ[MODEL_DIR_ENV]) if os.environ.get(MODEL_DIR_ENV) else None
    )
    if folder is not None and folder.is_dir():
        files = sorted(folder.glob("model*.json"), key=lambda p: (p.stat().st_mtime, p.name))
        if files:
            return files[-1]
    return SHIPPED_MODEL


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
