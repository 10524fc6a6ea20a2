"""Telegram "HTML" parse mode: HTML text -> plain text + MessageEntity list.

Mirrors TDLib's parser closely enough that a bot which passes here passes on Telegram:
offsets/lengths are UTF-16 code units, error texts copy Telegram's (byte offsets are UTF-8
byte positions in the source string), and anything outside the documented tag set is refused.
One deliberate difference: Telegram shows an unknown named entity such as ``&nbsp;`` literally;
the emulator refuses it, because a user seeing "&nbsp;" is a bug the tests should catch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

MAX_NESTED_TAGS = 100

SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
}
SUPPORTED_TAGS = {*SIMPLE_TAGS, "span", "a", "code", "pre", "blockquote", "tg-emoji"}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
ENTITY_TYPES = {
    "mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number", "bold",
    "italic", "underline", "strikethrough", "spoiler", "blockquote", "expandable_blockquote",
    "code", "pre", "text_link", "text_mention", "custom_emoji",
}  # fmt: skip


class EntityParseError(ValueError):
    """Raised with the text that follows "Bad Request: can't parse entities: "."""


def u16len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _Open:
    name: str
    attrs: dict[str, str]
    start: int  # UTF-16 offset in the output
    language: str | None = None
    children: list[str] = field(default_factory=list)


class _Parser:
    def __init__(self, src: str) -> None:
        self.src = src
        self.n = len(src)
        self.out: list[str] = []
        self.pos16 = 0
        self.stack: list[_Open] = []
        self.entities: list[dict[str, Any]] = []

    def byte_offset(self, i: int) -> int:
        return len(self.src[:i].encode("utf-8"))

    def emit(self, s: str) -> None:
        self.out.append(s)
        self.pos16 += u16len(s)

    def decode_entity(self, i: int) -> tuple[str, int] | None:
        """Decode ``&...;`` at ``i``; None means "a literal ampersand" (Telegram's rule)."""
        src = self.src
        m = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?").match(src, i)
        if m:
            code = int(m.group(1), 16) if m.group(1) else int(m.group(2))
            if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
                return chr(code), m.end()
            return None
        m = re.compile(r"&([a-zA-Z]+)(;?)").match(src, i)
        if not m:
            return None
        name = m.group(1)
        if name in NAMED_ENTITIES:
            return NAMED_ENTITIES[name], m.end()
        if m.group(2):
            raise EntityParseError(
                f'Unsupported HTML entity "&{name};" at byte offset {self.byte_offset(i)}'
            )
        return None

    def parse(self) -> tuple[str, list[dict[str, Any]]]:
        src, i = self.src, 0
        while i < self.n:
            c = src[i]
            if c == "&":
                decoded = self.decode_entity(i)
                if decoded is None:
                    self.emit("&")
                    i += 1
                else:
                    self.emit(decoded[0])
                    i = decoded[1]
            elif c == "<":
                if i + 1 < self.n and src[i + 1] == "/":
                    i = self.end_tag(i)
                else:
                    i = self.start_tag(i)
            else:
                j = i
                while j < self.n and src[j] not in "&<":
                    j += 1
                self.emit(src[i:j])
                i = j
        if self.stack:
            raise EntityParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )
        return "".join(self.out), self.entities

    def start_tag(self, begin: int) -> int:
        src, j = self.src, begin + 1
        while j < self.n and not src[j].isspace() and src[j] not in ">/":
            j += 1
        where = f"at byte offset {self.byte_offset(begin)}"
        if j >= self.n:
            raise EntityParseError(f"Unclosed start tag {where}")
        name = src[begin + 1 : j].lower()
        if name not in SUPPORTED_TAGS:
            raise EntityParseError(f'Unsupported start tag "{name}" {where}')
        attrs: dict[str, str] = {}
        while True:
            while j < self.n and (src[j].isspace() or src[j] == "/"):
                j += 1
            if j >= self.n:
                raise EntityParseError(f"Unclosed start tag {where}")
            if src[j] == ">":
                j += 1
                break
            k = j
            while k < self.n and (src[k].isalnum() or src[k] in "-_"):
                k += 1
            attr = src[j:k].lower()
            if not attr:
                raise EntityParseError(f'Empty attribute name in the tag "{name}" {where}')
            j = k
            while j < self.n and src[j].isspace():
                j += 1
            if j >= self.n or src[j] != "=":
                attrs[attr] = ""  # a bare attribute such as <blockquote expandable>
                continue
            j += 1
            while j < self.n and src[j].isspace():
                j += 1
            if j >= self.n:
                raise EntityParseError(f"Unclosed start tag {where}")
            if src[j] in "'\"":
                quote = src[j]
                end = src.find(quote, j + 1)
                if end < 0:
                    raise EntityParseError(f"Unclosed start tag {where}")
                raw, j = src[j + 1 : end], end + 1
            else:
                k = j
                while k < self.n and not src[k].isspace() and src[k] != ">":
                    k += 1
                raw, j = src[j:k], k
            attrs[attr] = _decode_attr(raw)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(f'Tag "span" must have class "tg-spoiler" {where}')
        if name == "tg-emoji" and not attrs.get("emoji-id"):
            raise EntityParseError(f'Tag "tg-emoji" must have attribute "emoji-id" {where}')
        if len(self.stack) >= MAX_NESTED_TAGS:
            raise EntityParseError("Too many nested tags")
        self.stack.append(_Open(name, attrs, self.pos16))
        return j

    def end_tag(self, begin: int) -> int:
        src = self.src
        end = src.find(">", begin + 2)
        where = f"at byte offset {self.byte_offset(begin)}"
        if end < 0:
            raise EntityParseError(f"Unclosed end tag {where}")
        name = src[begin + 2 : end].strip().lower()
        if not self.stack:
            raise EntityParseError(f"Unexpected end tag {where}")
        top = self.stack.pop()
        if top.name != name:
            raise EntityParseError(
                f'Unmatched end tag {where}, expected "</{top.name}>", found "</{name}>"'
            )
        self.close(top)
        return end + 1

    def close(self, tag: _Open) -> None:
        length = self.pos16 - tag.start
        parent = self.stack[-1] if self.stack else None
        entity: dict[str, Any] | None = None
        if tag.name in SIMPLE_TAGS or tag.name == "span":
            entity = {"type": SIMPLE_TAGS.get(tag.name, "spoiler")}
        elif tag.name == "a":
            href = tag.attrs.get("href", "").strip()
            if href:
                entity = {"type": "text_link", "url": href}
        elif tag.name == "code":
            lang = tag.attrs.get("class", "")
            if parent is not None and parent.name == "pre":
                # <pre><code class="language-x"> is how a pre block gets its language.
                if lang.startswith("language-") and len(lang) > 9:
                    parent.language = lang[9:]
                return
            entity = {"type": "code"}
        elif tag.name == "pre":
            entity = {"type": "pre"}
            if tag.language:
                entity["language"] = tag.language
        elif tag.name == "blockquote":
            expandable = "expandable" in tag.attrs
            entity = {"type": "expandable_blockquote" if expandable else "blockquote"}
        elif tag.name == "tg-emoji":
            entity = {"type": "custom_emoji", "custom_emoji_id": tag.attrs["emoji-id"]}
        if entity is None or length == 0:
            return
        entity["offset"] = tag.start
        entity["length"] = length
        self.entities.append(entity)


def _decode_attr(raw: str) -> str:
    return re.sub(
        r"&(lt|gt|amp|quot);",
        lambda m: NAMED_ENTITIES[m.group(1)],
        raw,
    )


def _drop_inside_code(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Telegram does not keep formatting inside code/pre; drop entities nested in them."""
    blocks = [e for e in entities if e["type"] in ("code", "pre")]
    kept = []
    for e in entities:
        inside = any(
            b is not e
            and b["offset"] <= e["offset"]
            and e["offset"] + e["length"] <= b["offset"] + b["length"]
            for b in blocks
        )
        if not inside or e["type"] in ("code", "pre"):
            kept.append(e)
    return kept


def parse_html(src: str) -> tuple[str, list[dict[str, Any]]]:
    text, entities = _Parser(src).parse()
    return text, _drop_inside_code(entities)


def sort_entities(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def strip_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Trim surrounding whitespace like Telegram, moving and clipping entities to match."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = u16len(text[: len(text) - len(text.lstrip())])
    total = u16len(stripped)
    out = []
    for e in entities:
        start = max(e["offset"] - lead, 0)
        end = min(e["offset"] + e["length"] - lead, total)
        if end > start:
            out.append({**e, "offset": start, "length": end - start})
    return stripped, out


def check_entities(raw: Any, text: str) -> list[dict[str, Any]]:
    """Validate an explicit ``entities``/``caption_entities`` list and clip it to the text."""
    if not isinstance(raw, list):
        raise EntityParseError("entities must be an Array")
    total = u16len(text)
    out = []
    for item in raw:
        if not isinstance(item, dict) or item.get("type") not in ENTITY_TYPES:
            raise EntityParseError("can't parse MessageEntity")
        offset, length = item.get("offset"), item.get("length")
        if not isinstance(offset, int) or not isinstance(length, int) or offset < 0:
            raise EntityParseError("can't parse MessageEntity: bad offset or length")
        if item["type"] == "text_link" and not item.get("url"):
            raise EntityParseError("can't parse MessageEntity: text_link without url")
        end = min(offset + length, total)
        if end > offset:
            out.append({**item, "offset": offset, "length": end - offset})
    return sort_entities(out)


_DETECT = re.compile(
    r"(?P<bot_command>(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/]))"
    r"|(?P<url>\bhttps?://[^\s<>\"]+)"
    r"|(?P<mention>(?<!\w)@[A-Za-z][A-Za-z0-9_]{3,31}\b)"
    r"|(?P<hashtag>(?<![\w#])#\w*[^\W\d_]\w*)"
)


def detect_entities(text: str, existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Telegram's automatic entities (bot_command, url, mention, hashtag), never overlapping
    an entity that is already there."""
    found = []
    for m in _DETECT.finditer(text):
        kind = m.lastgroup or "url"
        start, length = u16len(text[: m.start()]), u16len(m.group(0))
        if any(
            start < e["offset"] + e["length"] and e["offset"] < start + length for e in existing
        ):
            continue
        found.append({"type": kind, "offset": start, "length": length})
    return sort_entities([*existing, *found])
