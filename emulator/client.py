"""Async client of the emulator's control API, for tests and scripts.

It talks only HTTP to ``/_emu``, so it works the same against an emulator started in-process
or in another process.
"""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import aiohttp


class EmulatorError(AssertionError):
    """The control API refused a request (AssertionError so pytest shows it plainly)."""


class EmulatorClient:
    def __init__(
        self, base_url: str, bot_id: int, session: aiohttp.ClientSession | None = None
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.bot_id = bot_id
        self._session = session
        self._own_session = session is None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> EmulatorClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- raw calls -------------------------------------------------------------------------
    async def call(self, http_method: str, path: str, body: Any = None, **query: Any) -> Any:
        url = f"{self.base_url}/_emu{path}"
        params = {k: str(v) for k, v in query.items() if v is not None}
        async with self.session.request(http_method, url, json=body, params=params) as resp:
            data = await resp.json()
        if not data.get("ok"):
            raise EmulatorError(
                f"emulator refused {http_method} {path}: {data.get('description')}"
            )
        return data["result"]

    def bot_path(self, path: str) -> str:
        return f"/bots/{self.bot_id}{path}"

    # -- helpers ---------------------------------------------------------------------------
    def user(
        self,
        user_id: int,
        first_name: str = "测试",
        username: str | None = None,
        chat: dict[str, Any] | None = None,
        last_name: str | None = None,
    ) -> ChatUser:
        """One user; by default in their private chat, or in ``chat`` (a group dict)."""
        user: dict[str, Any] = {"id": user_id, "first_name": first_name}
        if username:
            user["username"] = username
        if last_name:
            user["last_name"] = last_name
        return ChatUser(self, user, chat)

    async def register_bot(self) -> dict[str, Any]:
        """Create the bot in the emulator before it polls (so users can write first)."""
        result: dict[str, Any] = await self.call("PUT", self.bot_path(""))
        return result

    async def wait_until_polling(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the bot has called getUpdates at least once."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            bots = await self.call("GET", "/bots")
            if any(b["id"] == self.bot_id and b["last_poll_time"] for b in bots):
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"bot {self.bot_id} did not start polling within {timeout}s")

    async def wait_until_webhook(self, timeout: float = 10.0) -> str:  # noqa: ASYNC109
        """Wait until the bot has set its webhook; returns its URL."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            for bot in await self.call("GET", "/bots"):
                if bot["id"] == self.bot_id and bot["webhook_url"]:
                    return str(bot["webhook_url"])
            await asyncio.sleep(0.05)
        raise AssertionError(f"bot {self.bot_id} set no webhook within {timeout}s")

    async def webhook_deliveries(self) -> list[dict[str, Any]]:
        """Every webhook POST so far: update_id, attempt, started, seconds, ok, error."""
        result: list[dict[str, Any]] = await self.call("GET", self.bot_path("/webhook_deliveries"))
        return result

    async def set_webhook_timeout(self, seconds: float) -> None:
        await self.call("PUT", "/webhook_timeout", {"seconds": seconds})

    async def commands(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self.call("GET", self.bot_path("/commands"))
        return result

    async def requests(
        self, method: str | None = None, errors_only: bool = False
    ) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self.call(
            "GET",
            self.bot_path("/requests"),
            method=method,
            errors_only="1" if errors_only else None,
        )
        return result

    async def stats(self) -> dict[str, Any]:
        """Bot API calls per method and the number refused: cheap to poll."""
        result: dict[str, Any] = await self.call("GET", self.bot_path("/stats"))
        return result

    async def set_personas(self, personas: list[dict[str, Any]]) -> None:
        await self.call("POST", "/personas", personas)

    async def set_places(self, places: list[dict[str, Any]]) -> None:
        """The points the web chat offers for 发送位置 (name, district, latitude, longitude)."""
        await self.call("POST", "/places", places)

    async def file_bytes(self, file_id: str) -> bytes:
        url = f"{self.base_url}/_emu{self.bot_path('/files/' + file_id)}"
        async with self.session.get(url) as resp:
            if resp.status != 200:
                raise EmulatorError(f"no file {file_id!r} in the emulator")
            return await resp.read()

    async def reset(self) -> None:
        await self.call("POST", "/reset")


# The timeout parameters are part of the client contract the tests use (hence noqa ASYNC109).
class ChatUser:
    """A user acting in one chat; remembers which bot events it has already consumed."""

    def __init__(
        self, client: EmulatorClient, user: dict[str, Any], chat: dict[str, Any] | None = None
    ) -> None:
        self.client = client
        self.user = user
        self.id: int = user["id"]
        self.chat = chat
        self.chat_id: int = chat["id"] if chat else user["id"]
        self.last_seq = 0
        self._buffer: list[dict[str, Any]] = []

    async def _send(self, payload: dict[str, Any]) -> Any:
        body = {"user": self.user, **payload}
        if self.chat is not None:
            body["chat"] = self.chat
        return await self.client.call("POST", self.client.bot_path("/send"), body)

    async def set_membership(self, status: str = "member") -> dict[str, Any]:
        """Join (or leave, be made admin of, be removed from) this user's group chat."""
        if self.chat is None:
            raise EmulatorError("membership is about a group: create the user with chat=...")
        body = {"user": self.user, "chat": self.chat, "status": status}
        result: dict[str, Any] = await self.client.call(
            "POST", self.client.bot_path("/members"), body
        )
        return result

    async def send_text(self, text: str, reply_to_message_id: int | None = None) -> dict[str, Any]:
        payload: dict[str, Any] = {"text": text}
        if reply_to_message_id is not None:
            payload["reply_to_message_id"] = reply_to_message_id
        result: dict[str, Any] = await self._send(payload)
        return result

    async def send_contact(
        self,
        phone: str,
        user_id: int | None = -1,
        first_name: str | None = None,
    ) -> dict[str, Any]:
        """Share a contact; by default one's own (user_id = own id). ``user_id=None`` sends a
        contact without user_id, another id shares someone else's contact."""
        contact: dict[str, Any] = {
            "phone_number": phone,
            "first_name": first_name or self.user["first_name"],
        }
        if user_id == -1:
            contact["user_id"] = self.id
        elif user_id is not None:
            contact["user_id"] = user_id
        result: dict[str, Any] = await self._send({"contact": contact})
        return result

    async def send_photo(self, data: bytes, caption: str | None = None) -> dict[str, Any]:
        photo: dict[str, Any] = {"data_b64": base64.b64encode(data).decode()}
        if caption is not None:
            photo["caption"] = caption
        result: dict[str, Any] = await self._send({"photo": photo})
        return result

    async def send_album(
        self, items: list[bytes], caption: str | None = None
    ) -> list[dict[str, Any]]:
        album: dict[str, Any] = {
            "items": [{"data_b64": base64.b64encode(d).decode()} for d in items]
        }
        if caption is not None:
            album["caption"] = caption
        result: list[dict[str, Any]] = await self._send({"album": album})
        return result

    async def send_location(self, latitude: float, longitude: float) -> dict[str, Any]:
        result: dict[str, Any] = await self._send(
            {"location": {"latitude": latitude, "longitude": longitude}}
        )
        return result

    async def send_sticker(self, emoji: str = "👍") -> dict[str, Any]:
        result: dict[str, Any] = await self._send({"sticker": {"emoji": emoji}})
        return result

    async def send_voice(self, duration: int = 3) -> dict[str, Any]:
        result: dict[str, Any] = await self._send({"voice": {"duration": duration}})
        return result

    async def send_document(
        self, data: bytes, file_name: str, mime_type: str = "application/octet-stream"
    ) -> dict[str, Any]:
        doc = {"data_b64": base64.b64encode(data).decode(), "file_name": file_name}
        result: dict[str, Any] = await self._send({"document": {**doc, "mime_type": mime_type}})
        return result

    async def press(self, message_id: int, data: str, force: bool = False) -> str:
        body = {
            "user": self.user,
            "chat_id": self.chat_id,
            "message_id": message_id,
            "data": data,
            "force": force,
        }
        result = await self.client.call("POST", self.client.bot_path("/press"), body)
        return str(result["callback_query_id"])

    async def press_button(self, message: dict[str, Any], text: str) -> str:
        """Press the inline button whose visible text equals (or else contains) ``text``."""
        buttons = [
            b
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", [])
            for b in row
        ]
        exact = [b for b in buttons if b.get("text") == text]
        partial = [b for b in buttons if text in b.get("text", "")]
        chosen = (exact or partial or [None])[0]
        if chosen is None or "callback_data" not in chosen:
            labels = [b.get("text") for b in buttons]
            raise AssertionError(
                f"no inline callback button {text!r} on message {message.get('message_id')}; "
                f"buttons: {labels}"
            )
        return await self.press(message["message_id"], chosen["callback_data"])

    async def _fetch(self, wait_s: float) -> None:
        path = self.client.bot_path(f"/chats/{self.chat_id}/events")
        seen = self._buffer[-1]["seq"] if self._buffer else self.last_seq
        self._buffer.extend(
            await self.client.call("GET", path, after_seq=seen, timeout=round(wait_s, 3))
        )

    async def next_event(self, timeout: float = 5.0) -> dict[str, Any]:  # noqa: ASYNC109
        """The next bot output event in this chat that this user has not consumed yet."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._buffer:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(
                    f"no bot event in chat {self.chat_id} within {timeout}s "
                    f"(after seq {self.last_seq})"
                )
            await self._fetch(remaining)
        event = self._buffer.pop(0)
        self.last_seq = event["seq"]
        return event

    async def next_message(self, timeout: float = 5.0) -> dict[str, Any]:  # noqa: ASYNC109
        """The next NEW bot message in this chat (edits, answers... are skipped)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        skipped: list[str] = []
        while True:
            try:
                event = await self.next_event(max(deadline - loop.time(), 0.0))
            except AssertionError:
                raise AssertionError(
                    f"the bot sent no new message to chat {self.chat_id} within {timeout}s"
                    + (f"; other events meanwhile: {skipped}" if skipped else "")
                ) from None
            if event["kind"] == "message":
                message: dict[str, Any] = event["message"]
                return message
            skipped.append(event["kind"])

    async def drain(self, quiet: float = 0.3) -> list[dict[str, Any]]:
        """Consume events until none arrives for ``quiet`` seconds; returns them."""
        events = []
        while True:
            try:
                events.append(await self.next_event(quiet))
            except AssertionError:
                return events

    async def callback_answer(
        self,
        callback_query_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> dict[str, Any] | None:
        """Wait until the bot answers the callback query; None if it does not in time."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        path = self.client.bot_path(f"/callback_answers/{callback_query_id}")
        while True:
            answer: dict[str, Any] | None = await self.client.call("GET", path)
            if answer is not None or loop.time() >= deadline:
                return answer
            await asyncio.sleep(0.02)

    async def messages(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self.client.call(
            "GET", self.client.bot_path(f"/chats/{self.chat_id}/messages")
        )
        return result
