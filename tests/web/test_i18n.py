"""The English catalogue covers every message the portal shows, and the dates read right."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

WEB = Path(__file__).resolve().parents[2] / "web"
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]


def test_every_message_has_an_english_translation():
    with open(WEB / "translations/en/LC_MESSAGES/messages.po", "rb") as f:
        catalog = read_po(f)
    ids = {msg for _, _, msg, _, _ in extract_from_dir(str(WEB), METHODS, keywords={
        "_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)})}
    missing = sorted(m for m in ids if isinstance(m, str) and not (catalog.get(m) and catalog.get(m).string))
    assert not missing, f"untranslated: {missing}"


def test_dates_are_written_the_chinese_way_in_chinese_and_the_english_way_in_english(app):
    from web.i18n import cn_date, cn_datetime, money

    with app.test_request_context("/"):
        assert cn_date(date(2025, 3, 5)) == "2025年3月5日"
        assert cn_date("2025-03-05") == "2025年3月5日"
        assert cn_datetime(datetime(2025, 3, 5, 16, 30)) == "2025年3月6日 00:30"  # Beijing time
        assert money("1234567.5") == "¥1,234,567.50"
    with app.test_request_context("/"):
        from flask import session
        session["lang"] = "en"
        assert cn_date(date(2025, 3, 5)) == "Mar 5, 2025"
