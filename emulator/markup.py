"""Validation of ``reply_markup`` with Telegram's refusals (BUTTON_DATA_INVALID & co.)."""

from __future__ import annotations

from typing import Any

from emulator.params import Params, bad_request

INLINE_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip
MAX_INLINE_BUTTONS = 100
MAX_REPLY_BUTTONS = 300


def _rows(markup: dict[str, Any], key: str, kind: str) -> list[list[Any]]:
    rows = markup.get(key)
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise bad_request(f'field "{key}" of the {kind} must be an Array of Arrays')
    return rows


def _inline(markup: dict[str, Any]) -> dict[str, Any]:
    rows = _rows(markup, "inline_keyboard", "InlineKeyboardMarkup")
    count = 0
    for row in rows:
        for button in row:
            count += 1
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request(
                    'can\'t parse inline keyboard button: Field "text" must be of type String'
                )
            actions = [a for a in INLINE_ACTIONS if a in button]
            if not actions:
                raise bad_request(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
            if len(actions) > 1:
                raise bad_request(
                    "can't parse inline keyboard button: exactly one of the optional fields "
                    f"must be used, got {', '.join(actions)}"
                )
            if not button["text"].strip():
                raise bad_request("BUTTON_TEXT_INVALID")
            if "callback_data" in button:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                    raise bad_request("BUTTON_DATA_INVALID")
            if "url" in button:
                url = button["url"]
                if not isinstance(url, str) or not url.startswith(
                    ("http://", "https://", "tg://")
                ):
                    raise bad_request("BUTTON_URL_INVALID")
    if count > MAX_INLINE_BUTTONS:
        raise bad_request("reply markup is too long")
    return {"inline_keyboard": rows}


def _reply_keyboard(markup: dict[str, Any]) -> dict[str, Any]:
    rows = _rows(markup, "keyboard", "ReplyKeyboardMarkup")
    norm_rows = []
    count = 0
    for row in rows:
        norm = []
        for button in row:
            count += 1
            if isinstance(button, str):
                button = {"text": button}
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request(
                    'can\'t parse keyboard button: Field "text" must be of type String'
                )
            if not button["text"].strip():
                raise bad_request("BUTTON_TEXT_INVALID")
            norm.append(button)
        norm_rows.append(norm)
    if count > MAX_REPLY_BUTTONS:
        raise bad_request("reply markup is too long")
    placeholder = markup.get("input_field_placeholder")
    if placeholder is not None and not 1 <= len(str(placeholder)) <= 64:
        raise bad_request("input field placeholder is too long")
    return {**markup, "keyboard": norm_rows}


def parse_reply_markup(
    params: Params, inline_only: bool = False
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Returns (inline markup to store in the Message, other markup for the client UI)."""
    markup = params.get_json("reply_markup", "can't parse reply keyboard markup JSON object")
    if markup is None:
        return None, None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        inline = _inline(markup)
        return (inline if any(inline["inline_keyboard"]) else None), None
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        return None, _reply_keyboard(markup)
    if markup.get("remove_keyboard") is True:
        return None, {"remove_keyboard": True, **markup}
    if markup.get("force_reply") is True:
        return None, {"force_reply": True, **markup}
    raise bad_request("can't parse reply keyboard markup JSON object")


def find_callback_button(markup: dict[str, Any] | None, data: str) -> dict[str, Any] | None:
    for row in (markup or {}).get("inline_keyboard", []):
        for button in row:
            if button.get("callback_data") == data:
                return dict(button)
    return None
