"""Fixtures: the tokenizer is built once per test session (it takes about a second)."""

from __future__ import annotations

import pytest

from classifiers import Directory, Router, load_directory, load_router
from classifiers.text import TextAnalyzer


@pytest.fixture(scope="session")
def directory() -> Directory:
    return load_directory()


@pytest.fixture(scope="session")
def analyzer(directory: Directory) -> TextAnalyzer:
    return TextAnalyzer(directory)


@pytest.fixture(scope="session")
def router(directory: Directory, analyzer: TextAnalyzer) -> Router:
    return load_router(directory=directory, analyzer=analyzer)
