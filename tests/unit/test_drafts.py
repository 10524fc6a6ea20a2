from bot.services.reporting.drafts import MAX_PHOTOS, MAX_TEXT, Draft, DraftPhoto


def test_parts_are_joined_and_overflow_is_refused_without_loss() -> None:
    draft = Draft()
    assert draft.add_part("第一段")
    assert draft.add_part("  第二段 ")
    assert draft.text == "第一段\n第二段"
    assert not draft.add_part("长" * MAX_TEXT)
    assert draft.text == "第一段\n第二段"  # the refused part did not replace anything


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
