import io
import logging

from PIL import Image

from bot.logging_setup import PersonalDataFilter, mask_personal_numbers
from bot.services.reporting.photos import strip_metadata
from tests.e2e.reporting import jpeg_with_exif


def test_phone_and_id_numbers_are_masked() -> None:
    text = "联系人张大爷 13807391234，身份证 43050219800101123X，门牌号 12号"
    assert mask_personal_numbers(text) == (
        "联系人张大爷 138****1234，身份证 430502********123X，门牌号 12号"
    )


def test_log_records_are_masked(caplog: object) -> None:
    record = logging.LogRecord(
        "x", logging.INFO, "", 0, "report text: %s", ("电话13807391234",), None
    )
    PersonalDataFilter().filter(record)
    assert record.getMessage() == "report text: 电话138****1234"


def test_stripped_photo_keeps_pixels_and_drops_exif() -> None:
    clean = strip_metadata(jpeg_with_exif())
    with Image.open(io.BytesIO(clean)) as image:
        assert image.size == (64, 48)
        assert dict(image.getexif()) == {}
    assert b"DeputyPhone" not in clean
