"""Markup out before reading: a report pasted from a web page or a chat export may carry HTML;
its tags and scripts are not the deputy's words (``rt`` out of ``<script>`` is no evidence)."""

from __future__ import annotations

import html
import re

_BLOCKS = re.compile(r"<(script|style)\b[^>]*>.*?(</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?[A-Za-z!][^<>]{0,300}>")
_ANY_MARKUP = re.compile(r"[<&]")


def strip_markup(text: str) -> str:
    """``text`` without HTML-like tags, script/style blocks and character entities."""
    if not text or not _ANY_MARKUP.search(text):
        return text
    text = _BLOCKS.sub(" ", text)
    text = _TAG.sub(" ", text)
    return html.unescape(text) if "&" in text else text
