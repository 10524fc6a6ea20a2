import pytest

from bot.services.deputies.phones import InvalidPhoneError, mask_phone, normalize_phone


@pytest.mark.parametrize(
    "raw",
    [
        "13807390001",
        "+8613807390001",
        "8613807390001",  # some Telegram clients drop the '+'
        "+86 138 0739 0001",
        "138-0739-0001",
        "0086 13807390001",
        " (+86) 138.0739.0001 ",
        "１３８０７３９０００１",  # full-width digits from a Chinese input method
    ],
)
def test_phone_spellings_normalise_to_eleven_digits(raw: str) -> None:
    assert normalize_phone(raw) == "13807390001"


@pytest.mark.parametrize(
    "raw", ["", "12345", "23807390001", "+1 415 555 0100", "手机号", "1380739000", "+86"]
)
def test_invalid_phones_are_refused(raw: str) -> None:
    with pytest.raises(InvalidPhoneError):
        normalize_phone(raw)


def test_mask_keeps_prefix_and_last_four() -> None:
    assert mask_phone("13807390001") == "138****0001"
