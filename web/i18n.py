"""Language: Simplified Chinese by default, English available; dates the way each writes them.

The message ids are the Chinese text itself, so the default needs no catalogue and a
missing English translation shows Chinese rather than an id. The compiled English
catalogue (.mo) is committed beside its .po; a test checks that it is current.
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


# Where message ids are found: the portal's code and templates, and the one table of codes
# (archive_store/messages.py) the records' reasons and refusals are rendered from.
SOURCES = Path(__file__).parent
EXTRA_SOURCES = (Path(__file__).parents[1] / "archive_store" / "messages.py",)
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2), "N_": None}
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]


def message_ids() -> set[str]:
    from babel.messages.extract import extract_from_dir, extract_from_file

    ids = {m for _, _, m, _, _ in extract_from_dir(str(SOURCES), METHODS, keywords=KEYWORDS)}
    for path in EXTRA_SOURCES:
        ids |= {m for _, m, _, _ in extract_from_file("python", str(path), keywords=KEYWORDS)}
    return {m for m in ids if isinstance(m, str)}


def compiled(po: Path) -> bytes:
    """The .mo for a .po, in memory."""
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with open(po, "rb") as f:
        catalog = read_po(f)
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def compile_catalogues() -> list[Path]:
    """Write each .mo from its .po: run by a developer after editing a .po (`python -m
    web.i18n`), never by the portal, which only reads the committed .mo (a running server
    writes no file it did not make)."""
    written = []
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        data = compiled(po)
        if not mo.exists() or mo.read_bytes() != data:
            mo.write_bytes(data)
            written.append(mo)
    return written


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


def cn_datetime(value: datetime | str | None) -> str:
    """Stored as naive UTC (a JSON column holds it as ISO text); shown in Beijing time."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
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


if __name__ == "__main__":
    for path in compile_catalogues():
        print(f"wrote {path}")
