"""digestbot's configuration: one `Settings`, read from the environment and `.env` at start-up
and passed down. Nothing else in the project reads environment variables."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.durations import parse_duration

MIN_FEED_INTERVAL = timedelta(seconds=5)  # the fastest any feed may be polled

# The two constraints most settings share (start-up refuses other values; the docs list them).
Count = Annotated[int, Field(ge=1)]  # how many of something: at least one
Positive = Annotated[float, Field(gt=0)]  # a rate or a time: above zero


class SettingsError(ValueError):
    """A setting has an invalid value; the message names the variable, in one line."""


class Settings(BaseSettings):
    """Every setting, with its environment variable (prefix `DIGESTBOT_` unless noted)."""

    model_config = SettingsConfigDict(
        env_prefix="DIGESTBOT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        validate_default=True,
        use_attribute_docstrings=True,  # a field's docstring is its description
    )

    # Telegram
    telegram_bot_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN", "DIGESTBOT_TELEGRAM_BOT_TOKEN"),
    )
    """Bot token from @BotFather; never logged, masked in repr. Unset: only the local demo
    (digestbot demo) runs."""
    base_url: str | None = None
    """Bot API server; unset: Telegram's. E.g. http://127.0.0.1:8081/bot for the local emulator."""
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    """Telegram user ids allowed the admin commands (/addfeed, /feeds, /removefeed, /stats,
    /broadcast, /channel)."""

    # storage
    database_url: str = "sqlite:///./digestbot.db"
    """sqlite:///path.db, or postgresql://user@host:5432/db for several processes (add ?schema=name
    to keep digestbot's tables in one schema)."""

    # subscribers
    default_timezone: str = "UTC"
    """IANA time zone of new chats (/timezone changes a chat's)."""
    templates_dir: Path | None = None
    """Directory whose templates (same file names) replace the packaged ones of
    digests/templates/."""
    max_items: int = Field(default=10, ge=1, le=50)
    """Default stories per digest (/max)."""
    max_subscriptions: Count = 50
    """Topics and feeds a chat may follow."""
    max_mutes: Count = 100
    """Mute words per chat."""
    max_query_length: int = Field(default=200, ge=10)
    """Longest topic query, in characters."""
    commands_per_minute: Count = 20
    """Commands per chat per minute, the steady rate, with a burst of as many (a new chat's first
    minute allows twice this); button taps count half. Beyond it: one polite reply, then silence
    until the bucket refills."""

    # delivery limits (Telegram: ~30/s overall, ~1/s per chat, 20/min per group)
    rate_global: Positive = 30.0
    """Messages per second overall."""
    rate_per_chat: Positive = 1.0
    """Messages per second per chat."""
    rate_per_group_minute: int = Field(default=20, gt=0)
    """Messages per minute per group or channel."""
    paid_broadcast: bool = False
    """Paid broadcast: up to 1000 messages/s overall, sent with allow_paid_broadcast."""
    delivery_give_up_hours: Positive = 48.0
    """Retry a failing message part this long (hours) before marking it failed."""

    # ticks, seconds
    ingest_interval: Positive = 60.0
    """Seconds between ingest ticks."""
    digest_interval: Positive = 30.0
    """Seconds between digest ticks."""
    deliver_interval: Positive = 1.0
    """Seconds between delivery ticks."""
    digest_batch: Count = 500
    """Schedules one digest claim takes; the tick claims again while a claim comes back full, so
    every due digest is built in the tick."""
    digest_lease: Positive = 120.0
    """Seconds a dead process's claimed schedules wait before another takes them."""
    digest_helpers: int | None = Field(default=None, ge=0, le=64)
    """Helper processes that select and render a large digest tick (10 000 or more due) while the
    bot's process writes it; 0: none; unset: one per CPU core beyond the first, up to 3."""

    def helper_processes(self) -> int:
        """`digest_helpers`, or the default for this machine."""
        if self.digest_helpers is not None:
            return self.digest_helpers
        return default_helper_processes()

    # fetching
    user_agent: str = "digestbot/0.1 (+https://github.com/digestbot/digestbot)"
    """User-Agent header of every fetch."""
    fetch_timeout: Positive = 20.0
    """Seconds per network operation of a fetch; the whole fetch may take three times this."""
    max_body_bytes: int = Field(default=10_000_000, gt=0)
    """Largest response body fetched, in bytes (after decompression)."""
    allow_private_urls: bool = False
    """Let feeds reach private and loopback addresses (trusted local setups only, e.g. feeds served
    from 127.0.0.1)."""
    feed_interval: timedelta = timedelta(minutes=30)
    """How often a feed is checked: 90s, 5m, 2h, 1d (from 5s to 1d). One feed: digestbot feeds set
    ID --every 5m."""
    feed_min_interval: timedelta = timedelta(minutes=1)
    """The fastest a feed is checked: feeds that realtime subscribers follow are checked this often
    (a realtime topic subscription makes that every feed)."""

    # WebSub push (off when websub_callback_url is unset)
    websub_callback_url: str | None = None
    """Public URL WebSub hubs push to (feed id appended), e.g. https://bot.example.org/websub;
    unset: no push, polling only."""
    websub_listen: str = "127.0.0.1"
    """Address the WebSub callback server binds (put it behind the webhook's reverse proxy)."""
    websub_port: int = Field(default=8444, gt=0, lt=65536)
    """Port the WebSub callback server binds."""
    websub_secret: SecretStr | None = None
    """Hubs sign pushes with a per-feed secret derived from this (HMAC, X-Hub-Signature); unsigned
    or badly signed pushes are ignored."""

    # webhook mode (polling when webhook_url is unset)
    webhook_url: str | None = None
    """Public HTTPS URL of the webhook (ports 80, 88, 443 or 8443); unset: long polling."""
    webhook_listen: str = "127.0.0.1"
    """Address the webhook binds."""
    webhook_port: int = Field(default=8443, gt=0, lt=65536)
    """Port the webhook binds."""
    webhook_path: str = "telegram"
    """URL path of the webhook."""
    webhook_secret: SecretStr | None = None
    """Registered with setWebhook and checked against X-Telegram-Bot-Api-Secret-Token; unset: a
    random one per run."""

    # operations
    on_conflict: Literal["wait", "exit"] = "wait"
    """When another instance polls with the same token (409 Conflict): wait (say so once and back
    off, 1s to 30s, until it stops) or exit (one error line)."""
    log_format: Literal["text", "json"] = "text"
    """Log lines as text (key=value) or json."""
    log_level: str = "INFO"
    """DEBUG, INFO, WARNING or ERROR."""
    metrics_port: int | None = None
    """Serve Prometheus /metrics and /healthz on this port; unset: no server."""
    metrics_host: str = "127.0.0.1"
    """Address /metrics and /healthz bind (0.0.0.0: every interface)."""
    redis_url: str | None = None
    """Redis URL for the send-rate limiter shared by every process (one budget for digests and
    replies); unset: per process."""

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            return frozenset(
                int(part) for part in value.replace(";", ",").split(",") if part.strip()
            )
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("feed_interval", "feed_min_interval", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        if isinstance(value, str):
            return parse_duration(value)  # its DurationError is a ValueError: one line
        return value

    @field_validator("feed_interval", "feed_min_interval")
    @classmethod
    def _sensible_interval(cls, value: timedelta) -> timedelta:
        if not MIN_FEED_INTERVAL <= value <= timedelta(days=1):
            raise ValueError("use a duration from 5s to 1d, e.g. 30m")
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name like Europe/Berlin)"
            ) from exc
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("use DEBUG, INFO, WARNING or ERROR")
        return level

    @property
    def fastest_feed_interval(self) -> timedelta:
        """`feed_min_interval`, never slower than the global interval."""
        return min(self.feed_min_interval, self.feed_interval)

    @property
    def token(self) -> str | None:
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.admin_ids


def _variable_name(field_name: str) -> str:
    if field_name == "telegram_bot_token":
        return "TELEGRAM_BOT_TOKEN"
    return "DIGESTBOT_" + field_name.upper()


def load_settings(**overrides: Any) -> Settings:
    """Build the settings once; an invalid value raises `SettingsError` naming its variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = error.get("loc") or ("?",)
        field = str(loc[0])
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        raise SettingsError(f"invalid setting {_variable_name(field)}: {message}") from None
    except (ValueError, TypeError) as exc:  # e.g. an unparsable admin id list
        raise SettingsError(f"invalid settings: {exc}") from None


#: The only ports Telegram delivers webhooks to (telegram-bot-api WebhookActor.cpp / Client.cpp:
#: "Webhook can be set up only on ports 80, 88, 443 or 8443").
WEBHOOK_PORTS = frozenset({80, 88, 443, 8443})


def webhook_url_problem(url: str) -> str | None:
    """Why Telegram's setWebhook would refuse `url` (HTTPS only, on one of `WEBHOOK_PORTS`,
    a host and no credentials), or None when it is acceptable."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return "it is not a valid URL"
    if parts.scheme.lower() != "https":
        return "Telegram delivers webhooks only to https:// URLs"
    if not parts.hostname:
        return "the URL has no host"
    if parts.username is not None or parts.password is not None:
        return "the URL must not hold a user name or password"
    if port is not None and port not in WEBHOOK_PORTS:
        return f"Telegram delivers webhooks only to ports 80, 88, 443 or 8443, not {port}"
    return None


def default_helper_processes() -> int:
    """Digest helper processes when unset: one per CPU core beyond the first, up to 3."""
    return max(0, min(3, (os.cpu_count() or 1) - 1))
