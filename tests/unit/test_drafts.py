from bot.core.text_input import gist, meaningful_length
from bot.services.reporting.drafts import (
    MAX_PHOTOS,
    MAX_TEXT,
    MIN_TEXT,
    Draft,
    DraftPhoto,
    PartOutcome,
)
from bot.services.reporting.filing import summarize


def test_parts_are_joined_and_overflow_is_refused_without_loss() -> None:
    draft = Draft()
    assert draft.add_part("第一段") is PartOutcome.ADDED
    assert draft.add_part("  第二段 ") is PartOutcome.ADDED
    assert draft.text == "第一段\n第二段"
    assert draft.add_part("长" * MAX_TEXT) is PartOutcome.TOO_LONG
    assert draft.text == "第一段\n第二段"  # the refused part did not replace anything


def test_a_whitespace_or_emoji_only_message_is_refused_as_empty() -> None:
    draft = Draft()
    for empty in ("   ", "\u3000\n\t", "\u200b", "😀😀😡", "。。！！"):
        assert draft.add_part(empty) is PartOutcome.EMPTY, repr(empty)
    assert draft.parts == [] and draft.meaningful == 0


def test_the_minimum_counts_words_not_emoji() -> None:
    draft = Draft()
    draft.add_part("😀" * 11)
    assert draft.parts == [] and not draft.long_enough
    draft.add_part("😀😀 路灯坏了 😡😡")
    assert draft.meaningful == 4 and not draft.long_enough  # 36 characters, 4 of them words
    draft.add_part("晚上很黑，老人摔倒了")
    assert draft.meaningful == 4 + 9 >= MIN_TEXT and draft.long_enough
    assert meaningful_length("SY2026 号！") == 7


def test_the_summary_gives_the_gist_of_every_line() -> None:
    text = "😀😀😀😡😡\n城西街道路灯坏了\n晚上很黑。\n老人摔倒了"
    assert summarize(text) == "城西街道路灯坏了；晚上很黑。老人摔倒了"
    assert len(summarize("长" * 100)) == 40 and summarize("长" * 100).endswith("…")
    assert gist("第一行\n\n  第二   行  ", 40) == "第一行；第二 行"


def test_photos_are_capped_and_deduplicated() -> None:
    draft = Draft()
    for index in range(MAX_PHOTOS):
        assert draft.add_photo(DraftPhoto(f"id{index}", f"u{index}"))
    assert draft.add_photo(DraftPhoto("again", "u0"))  # same photo sent twice: kept once
    assert not draft.add_photo(DraftPhoto("extra", "u99"))
    assert len(draft.photos) == MAX_PHOTOS


def test_draft_round_trips_through_json_data() -> None:
    draft = Draft(
        parts=["路灯不亮"], photos=[DraftPhoto("a", "b")], latitude=27.2, longitude=111.4
    )
    assert Draft.from_dict(draft.to_dict()) == draft
