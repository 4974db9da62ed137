"""Language: Simplified Chinese by default, English available; dates the way each writes them.

The message ids are the Chinese text itself, so the default needs no catalogue and a
missing English translation shows Chinese rather than an id. The English catalogue is
compiled from its .po when the .mo is missing or older, so a fresh clone works as is.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from flask import Flask, session
from flask_babel import format_date, format_datetime, get_locale, to_user_timezone

TRANSLATIONS = Path(__file__).parent / "translations"
DEFAULT_LOCALE = "zh_Hans_CN"
LANGUAGES = {"zh": "zh_Hans_CN", "en": "en"}


def ensure_compiled() -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        try:
            with open(po, "rb") as f:
                catalog = read_po(f)
            with open(mo, "wb") as f:
                write_mo(f, catalog)
        except OSError:
            pass  # an installed, read-only copy: use the committed .mo as it is


def select_locale() -> str:
    return LANGUAGES.get(session.get("lang", "zh"), DEFAULT_LOCALE)


def is_zh() -> bool:
    return str(get_locale()).startswith("zh")


def cn_date(value: date | datetime | str | None) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value.date()
    if is_zh():
        return f"{value.year}年{value.month}月{value.day}日"
    return format_date(value, "medium")


def cn_datetime(value: datetime | None) -> str:
    """Stored as naive UTC; shown in Beijing time."""
    if not value:
        return ""
    local = to_user_timezone(value.replace(tzinfo=UTC))
    if is_zh():
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
    return format_datetime(value.replace(tzinfo=UTC), "medium")


def money(value) -> str:
    """¥1,234,567.50 — the figure a Chinese office writes; a bad value shows as it is."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return f"¥{amount:,.2f}"


def register_filters(app: Flask) -> None:
    app.jinja_env.filters["cndate"] = cn_date
    app.jinja_env.filters["cndatetime"] = cn_datetime
    app.jinja_env.filters["money"] = money
    app.jinja_env.globals["is_zh"] = is_zh
