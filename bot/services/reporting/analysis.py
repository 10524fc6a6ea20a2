"""A draft's routing analysis, computed once per change of what it depends on and kept with
the draft (in the FSM storage, as JSON): every step of the flow and the final submit read the
same Classification instead of running the router again."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import types
import typing
from typing import Any, TypeVar, Union

from bot.services.reporting.drafts import Draft
from classifiers import Classification

T = TypeVar("T")


def fingerprint(draft: Draft) -> str:
    """What the analysis depends on: the text and where it happened. (A router reloaded
    meanwhile does not count: the deputy files what the preview showed.)"""
    basis = json.dumps(
        [draft.text, draft.address, draft.latitude, draft.longitude], ensure_ascii=False
    )
    return hashlib.sha256(basis.encode()).hexdigest()[:32]


def encode(analysis: Classification) -> dict[str, Any]:
    return dataclasses.asdict(analysis)


def decode(data: dict[str, Any]) -> Classification:
    return _build(Classification, data)


def _build(kind: type[T], data: dict[str, Any]) -> T:
    hints = typing.get_type_hints(kind)
    values = {
        f.name: _value(hints[f.name], data[f.name])
        for f in dataclasses.fields(kind)  # type: ignore[arg-type]
        if f.name in data
    }
    return kind(**values)


def _value(hint: Any, value: Any) -> Any:
    """JSON back into the hinted type: nested dataclasses, lists and tuples of them, Optional."""
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return _value(options[0], value) if len(options) == 1 else value
    if origin in (list, tuple):
        (item, *_) = typing.get_args(hint) or (Any,)
        items = [_value(item, v) for v in value]
        return items if origin is list else tuple(items)
    if dataclasses.is_dataclass(hint) and isinstance(value, dict):
        return _build(hint, value)  # type: ignore[arg-type]
    return value
