"""Mainland China mobile numbers as the registry stores them: 11 digits, no prefix."""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-().·]")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")


class InvalidPhoneError(ValueError):
    pass


def normalize_phone(raw: str) -> str:
    """'+86 138-0000-0000', '8613800000000', '0086 13800000000' → '13800000000'.

    Telegram clients send contacts with or without '+', sometimes with a bare '86'."""
    # NFKC: Chinese input methods may type full-width digits (１３８…).
    digits = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw).strip())
    if digits.startswith("+"):
        if not digits.startswith("+86"):
            raise InvalidPhoneError(raw)  # another country's number
        digits = digits[1:]
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not _MOBILE.fullmatch(digits):
        raise InvalidPhoneError(raw)
    return digits


def mask_phone(phone: str) -> str:
    """138****0000: enough for a person to recognise, not enough to misuse in a log."""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"
