"""In-memory world of the emulator: bots, users, chats, messages, files, updates, events.

Everything lives in one process and one event loop, so plain dicts are enough; the only
concurrency concern is waking long polls, done with a broadcast ``asyncio.Event`` that is
replaced after every change (waiters grab the current one *before* checking, so no wake-up
is ever lost).
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from emulator.quirks import PeerQuirks

BOT_FIRST_NAME = "代表直通12345"
REQUEST_LOG_LIMIT = 5000


def new_file_ids() -> tuple[str, str]:
    """Opaque ids shaped roughly like Telegram's (long file_id, short file_unique_id)."""
    return "AgAC" + secrets.token_urlsafe(48), "AQAD" + secrets.token_urlsafe(9)


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    kind: str  # photo / document / voice / sticker
    mime_type: str | None = None
    file_name: str | None = None
    width: int | None = None
    height: int | None = None
    photo_sizes: list[dict[str, Any]] | None = None  # the whole PhotoSize set it belongs to


@dataclass
class StoredMessage:
    chat_id: int
    message_id: int
    data: dict[str, Any]  # the Bot API Message dict, kept current across edits
    from_bot: bool
    deleted: bool = False
    edit_count: int = 0
    # Reply keyboards / ForceReply never appear in a Telegram Message object, but the web
    # chat must show them, so they are kept beside the message.
    sent_reply_markup: dict[str, Any] | None = None

    def control_dict(self) -> dict[str, Any]:
        out = dict(self.data)
        out.update(from_bot=self.from_bot, deleted=self.deleted, edit_count=self.edit_count)
        if self.sent_reply_markup is not None:
            out["sent_reply_markup"] = self.sent_reply_markup
        return out


@dataclass
class ChatState:
    info: dict[str, Any]  # Bot API Chat dict
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_message_id: int = 1
    events: list[dict[str, Any]] = field(default_factory=list)
    # Groups only: user id → ChatMember status ("creator", "administrator", "member", "left",
    # "kicked"); a user not listed has never been in the group.
    members: dict[int, str] = field(default_factory=dict)

    def take_message_id(self) -> int:
        mid = self.next_message_id
        self.next_message_id += 1
        return mid


@dataclass
class CallbackRecord:
    id: str
    chat_id: int
    message_id: int
    data: str
    answer: dict[str, Any] | None = None


class BotState:
    def __init__(self, bot_id: int, token: str | None) -> None:
        self.bot_id = bot_id
        self.token = token
        self.username = "deputy12345_bot"
        self.first_name = BOT_FIRST_NAME
        self.chats: dict[int, ChatState] = {}
        self.updates: list[dict[str, Any]] = []
        self.next_update_id = 100_000_001
        self.allowed_updates: list[str] | None = None
        self.poll_ticket = 0  # bumped by every getUpdates; an older waiting poll gets 409
        self.last_poll_time: float | None = None
        self.webhook: dict[str, Any] | None = None
        # Every webhook POST: update id, attempt, start, seconds, ok, error (emulator/webhook).
        self.webhook_deliveries: list[dict[str, Any]] = []
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.menu_buttons: dict[str, dict[str, Any]] = {}
        self.texts: dict[str, str] = {}  # description / short_description / name
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.file_counter = itertools.count(1)
        self.callbacks: dict[str, CallbackRecord] = {}
        self.media_group_counter = itertools.count(13_000_000_000_000_000)
        self.request_log: list[dict[str, Any]] = []
        self.call_counts: dict[str, int] = {}
        self.error_count = 0

    def user_dict(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    def add_file(self, data: bytes, kind: str, ext: str, **extra: Any) -> StoredFile:
        file_id, unique_id = new_file_ids()
        folder = {"photo": "photos", "document": "documents", "voice": "voice"}.get(
            kind, kind + "s"
        )
        path = f"{folder}/file_{next(self.file_counter)}.{ext}"
        stored = StoredFile(file_id, unique_id, path, data, kind, **extra)
        self.files[file_id] = stored
        self.files_by_path[path] = stored
        return stored

    def log_request(self, method: str, params: dict[str, Any], error: str | None) -> None:
        # Counters survive the log's trimming and are cheap to read (benchmarks poll them).
        self.call_counts[method] = self.call_counts.get(method, 0) + 1
        if error is not None:
            self.error_count += 1
        self.request_log.append(
            {
                "time": time.time(),
                "method": method,
                "params": params,
                "ok": error is None,
                "error": error,
            }
        )
        if len(self.request_log) > REQUEST_LOG_LIMIT:
            del self.request_log[: len(self.request_log) - REQUEST_LOG_LIMIT]


class World:
    """The whole emulated Telegram: bots keyed by numeric id, users, personas."""

    def __init__(self) -> None:
        self.bots: dict[int, BotState] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.personas: list[dict[str, Any]] = []
        self.places: list[dict[str, Any]] = []  # the web chat's 发送位置 choices
        self.seq = 0
        self.closed = False  # set on shutdown so long polls answer at once
        self.quirks = PeerQuirks()  # faithful to Telegram unless a test says otherwise
        self.webhook_senders: dict[int, Any] = {}  # bot id → emulator.webhook.WebhookSender
        self.webhook_timeout = 60.0  # seconds Telegram waits for a webhook's answer
        self._changed = asyncio.Event()

    # -- change notification -------------------------------------------------------------
    def changed_event(self) -> asyncio.Event:
        return self._changed

    def notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_change(self, deadline: float) -> bool:
        """Wait for the next change; False when ``deadline`` (loop time) has passed."""
        ev = self._changed
        if self.closed:
            return False
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining <= 0:
            return False
        try:
            await asyncio.wait_for(ev.wait(), remaining)
        except TimeoutError:
            return False
        return True

    def reset(self) -> None:
        self.bots.clear()
        self.users.clear()
        self.personas = []
        self.places = []
        self.notify()

    # -- bots, chats ---------------------------------------------------------------------
    def bot(self, bot_id: int, token: str | None = None, create: bool = True) -> BotState | None:
        bot = self.bots.get(bot_id)
        if bot is None and create:
            bot = self.bots[bot_id] = BotState(bot_id, token)
        if bot is not None and token and bot.token is None:
            bot.token = token
        return bot

    def remember_user(self, user: dict[str, Any]) -> dict[str, Any]:
        user_id = int(user["id"])
        clean: dict[str, Any] = {
            "id": user_id,
            "is_bot": False,
            "first_name": str(user["first_name"]),
        }
        for key in ("last_name", "username", "language_code"):
            if user.get(key):
                clean[key] = str(user[key])
        self.users[user_id] = clean
        return clean

    @staticmethod
    def private_chat_info(user: dict[str, Any]) -> dict[str, Any]:
        info = {"id": user["id"], "first_name": user["first_name"], "type": "private"}
        for key in ("last_name", "username"):
            if key in user:
                info[key] = user[key]
        return info

    def ensure_chat(self, bot: BotState, info: dict[str, Any]) -> ChatState:
        chat = bot.chats.get(int(info["id"]))
        if chat is None:
            chat = bot.chats[int(info["id"])] = ChatState(info=dict(info))
        else:
            chat.info.update(info)
        return chat

    # -- updates and events --------------------------------------------------------------
    def enqueue_update(self, bot: BotState, kind: str, payload: dict[str, Any]) -> int:
        update_id = bot.next_update_id
        bot.next_update_id += 1
        bot.updates.append({"update_id": update_id, kind: payload})
        self.notify()
        return update_id

    def add_event(self, bot: BotState, chat_id: int, kind: str, **fields: Any) -> dict[str, Any]:
        self.seq += 1
        event = {"seq": self.seq, "kind": kind, **fields}
        chat = bot.chats.get(chat_id)
        if chat is not None:
            chat.events.append(event)
        self.notify()
        return event
