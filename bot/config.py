"""All settings in one place, read from the environment (and `.env`); see `.env.example`."""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any, Literal

import annotated_types
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_API_BASE = "https://api.telegram.org"
# The emulator accepts any well-formed token; the demo uses this one so no real token is needed.
DEMO_BOT_TOKEN = "1234567890:DEMO-local-emulator-token-000000"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_nested_delimiter="__"
    )

    # Telegram
    bot_token: SecretStr | None = None
    telegram_api_base: str = DEFAULT_API_BASE
    polling_timeout: int = Field(default=25, ge=0, le=50)
    # Updates handled at once; more wait in line (keeps DB pool and memory calm under bursts).
    update_concurrency: int = Field(default=16, ge=1)

    # Storage
    database_url: str = "sqlite+aiosqlite:///./data/deputy12345.sqlite3"
    database_echo: bool = False
    redis_url: str | None = None
    # Local files: report photos (re-encoded without metadata) and other runtime data.
    data_dir: Path = Path("./data")

    # Hotline (12345) intake
    hotline_adapter: Literal["http", "open311", "telegram"] = "http"
    # A report the router is unsure of: sent to 12345 at once with its suggestion marked 待确认
    # (the hotline's dispatchers confirm or 改派 it), or held for the 工委's triage first.
    routing_unsure: Literal["hotline", "triage"] = "hotline"
    hotline_url: str = "http://127.0.0.1:8090"
    hotline_secret: SecretStr = SecretStr("change-me")
    open311_url: str | None = None
    open311_api_key: SecretStr | None = None
    open311_jurisdiction_id: str | None = None
    open311_poll_seconds: int = Field(default=300, ge=5)
    # Optional JSON {our department code: service_code}, overriding the fuzzy name matching.
    open311_service_map: Path | None = None
    # ROUTING_UNSURE=hotline: an unsure report goes to this service (a server's "to be
    # dispatched" queue) instead of the suggestion's own; the suggestion is in its description.
    open311_unsure_service_code: str | None = None
    # The operators' group chat (negative id) where HOTLINE_ADAPTER=telegram posts ticket cards.
    operators_chat_id: int | None = Field(default=None, lt=0)
    # Outbox delivery: run the worker inside `python -m bot` (off when `python -m bot worker`
    # processes do it), how often an idle worker looks for due messages, how many at once.
    outbox_worker_in_bot: bool = True
    outbox_poll_seconds: float = Field(default=1.0, gt=0)
    outbox_batch: int = Field(default=50, ge=1)
    outbox_concurrency: int = Field(default=8, ge=1)
    # A claimed message is the worker's this long; one that died holding it frees it by expiry.
    outbox_lease_seconds: float = Field(default=300, gt=0)
    # How long a message is retried before it is dead-lettered, and the longest wait between
    # two attempts (back-off is exponential with full jitter up to it).
    outbox_retry_hours: float = Field(default=72, gt=0)
    outbox_retry_max_seconds: float = Field(default=300, gt=0)
    # A report still not delivered this long after filing: its deputy is told it is safe and
    # will be sent automatically (and told again when it arrives).
    outbox_delay_notice_minutes: float = Field(default=5, ge=0)
    # Optional Telegram group of the 代表工委 staff for alerts: an outage of the hotline, its
    # end, and every dead letter (negative id; the bot must be a member).
    alerts_chat_id: int | None = Field(default=None, lt=0)

    # Deadlines: public holidays and 调休 workdays, comma-separated ISO dates.
    deadline_holidays: str = ""
    deadline_extra_workdays: str = ""
    deadline_accept_hours: float = Field(default=2, gt=0)
    deadline_urgent_hours: float = Field(default=24, gt=0)
    # Deadline watch: a 预警 this many office hours before the handling / 受理 deadline (clock
    # hours for 紧急), one pass every `deadline_watch_seconds`.
    deadline_warning_hours: float = Field(default=4, ge=0)
    deadline_accept_warning_hours: float = Field(default=0.5, ge=0)
    deadline_watch_seconds: float = Field(default=60, gt=0)
    # 复发 回访: days after 已办结 the deputy is asked whether the problem came back.
    recurrence_check_days: float = Field(default=15, ge=0)
    # 督办 desk: a case lands there this many clock hours past its handling deadline, or after
    # the deputy's `supervision_urge_times`-th 催办 (second 不满意, two 退单, 复发 always do).
    supervision_overdue_margin_hours: float = Field(default=24, ge=0)
    supervision_urge_times: int = Field(default=3, ge=1)

    # Web app (callbacks, consoles)
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=0, le=65535)

    # Admin console (/admin/): sign-in lifetime, lock after repeated wrong passwords, cookie flags.
    console_session_hours: float = Field(default=8, gt=0)
    console_login_attempts: int = Field(default=5, ge=1)
    console_lockout_minutes: float = Field(default=15, gt=0)
    # True behind HTTPS: the session cookie is then never sent in the clear
    console_cookie_secure: bool = False

    # Abuse protection: at most `throttle_rate` updates per user per `throttle_period` seconds.
    throttle_rate: int = Field(default=20, ge=1)
    throttle_period: float = Field(default=10.0, gt=0)

    log_level: str = "INFO"

    def token(self) -> str:
        if self.bot_token is None:
            raise MissingTokenError
        return self.bot_token.get_secret_value()

    @field_validator("operators_chat_id", mode="before")
    @classmethod
    def _unset_when_empty(cls, value: object) -> object:
        return None if value == "" else value  # `OPERATORS_CHAT_ID=` as in .env.example

    def operators_chat(self) -> int:
        """The operators' group; HOTLINE_ADAPTER=telegram cannot start without one."""
        if self.operators_chat_id is None:
            raise MissingOperatorsChatError
        return self.operators_chat_id


class MissingOperatorsChatError(RuntimeError):
    def __init__(self) -> None:
        super().__init__(
            "HOTLINE_ADAPTER=telegram needs OPERATORS_CHAT_ID: the id of the operators' group "
            "chat, a negative number such as -1001234567890 (see .env.example)."
        )


class MissingTokenError(RuntimeError):
    def __init__(self) -> None:
        super().__init__(
            "BOT_TOKEN is not set. For a local demo without a token run `make demo`; "
            "to talk to real Telegram set BOT_TOKEN (see .env.example)."
        )


class SettingsError(ValueError):
    """Settings that cannot be used: one line per bad variable, naming it, its value and what
    is allowed (`python -m bot` prints them and exits with 2, never a traceback)."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise SettingsError([_bad_setting(e) for e in error.errors()]) from None


def _bad_setting(error: Any) -> str:
    name = str(error["loc"][0]) if error.get("loc") else ""
    field = Settings.model_fields.get(name)
    variable = name.upper() or "设置"
    if field is None:
        return f"设置错误：{variable} 不可用：{error.get('msg', '')}（见 .env.example）"
    shown = "（已隐藏）" if _is_secret(field.annotation) else str(error.get("input", ""))
    return f"设置错误：{variable}={shown} 不可用，允许的值：{allowed(field)}（见 .env.example）"


def allowed(field: Any) -> str:
    """What a setting accepts, in words: its kind and its bounds."""
    annotation = field.annotation
    options = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) is Literal:
        return "、".join(str(o) for o in typing.get_args(annotation)) + " 之一"
    kind = options[0] if options and typing.get_origin(annotation) is not None else annotation
    if typing.get_origin(kind) is Literal:
        return "、".join(str(o) for o in typing.get_args(kind)) + " 之一"
    words = {int: "整数", float: "数字", bool: "true 或 false", Path: "文件路径", str: "文本"}
    noun = words.get(kind, "文本")
    bounds = []
    for rule in field.metadata:
        for attr, sign in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<")):
            value = getattr(rule, attr, None)
            if isinstance(rule, annotated_types.BaseMetadata) and value is not None:
                bounds.append(f"{sign} {value}")
    return f"{'、'.join(bounds)} 的{noun}" if bounds else noun


def _is_secret(annotation: Any) -> bool:
    return annotation is SecretStr or SecretStr in typing.get_args(annotation)
