"""Telegram HTML parse mode: plain text + UTF-16 entities, Telegram's refusals."""

from __future__ import annotations

import pytest

from emulator.html_entities import EntityParseError, parse_html, u16len


def test_nested_tags_give_utf16_offsets() -> None:
    text, entities = parse_html("😀<b>粗<i>斜</i></b> <a href='https://x.cn/?a=1&amp;b=2'>链</a>")
    assert text == "😀粗斜 链"
    assert {"type": "bold", "offset": 2, "length": 2} in entities
    assert {"type": "italic", "offset": 3, "length": 1} in entities
    assert {"type": "text_link", "offset": 5, "length": 1, "url": "https://x.cn/?a=1&b=2"} in (
        entities
    )


def test_pre_with_code_language_and_expandable_blockquote() -> None:
    text, entities = parse_html(
        '<pre><code class="language-python">x = 1</code></pre>'
        "<blockquote expandable>引用</blockquote><tg-spoiler>秘</tg-spoiler>"
        '<span class="tg-spoiler">密</span>'
    )
    assert text == "x = 1引用秘密"
    types = [e["type"] for e in entities]
    assert types == ["pre", "expandable_blockquote", "spoiler", "spoiler"]
    assert entities[0]["language"] == "python"


def test_html_entities_decode() -> None:
    assert parse_html("&lt;a&gt; &amp; &quot; &#20013;&#x6587; A & B")[0] == '<a> & " 中文 A & B'


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("ab<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 2'),
        ("<b>粗", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("a&nbsp;b", 'Unsupported HTML entity "&nbsp;" at byte offset 1'),
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<b", "Unclosed start tag at byte offset 0"),
    ],
)
def test_invalid_html_is_refused_like_telegram(source: str, reason: str) -> None:
    with pytest.raises(EntityParseError) as info:
        parse_html(source)
    assert str(info.value) == reason


def test_u16len_counts_surrogate_pairs() -> None:
    assert u16len("a中😀") == 4
