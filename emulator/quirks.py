"""Behaviours of Bot API servers that are not Telegram, switched on by tests.

Seen in telegram-test-api 4.2.1 (a mock other projects test with): optional fields left out
(`chat_instance` in callback queries), methods it does not know answered with HTTP 500 and a
body that is not a Bot API answer (`{"message": ...}`), `getFile` among them. The emulator is
faithful to Telegram by default; a test that wants the bot to survive such a server turns
these on (`emulator.state.quirks = PeerQuirks(...)`)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PeerQuirks:
    omit_optional_fields: bool = False  # callback queries without chat_instance
    refused_methods: frozenset[str] = field(default_factory=frozenset)  # lower-case names
    fail_get_file: bool = False

    def refuses(self, method: str) -> bool:
        name = method.lower()
        return name in self.refused_methods or (self.fail_get_file and name == "getfile")


def refusal_body(method: str) -> dict[str, str]:
    """What telegram-test-api answers for a method it does not support (not a Bot API body)."""
    return {"message": f"API method '{method}' is not supported."}
