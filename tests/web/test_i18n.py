"""The English catalogue covers every message the portal shows, and the dates read right."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from babel.messages.pofile import read_po

WEB = Path(__file__).resolve().parents[2] / "web"


def test_every_message_has_an_english_translation():
    from web.i18n import message_ids

    with open(WEB / "translations/en/LC_MESSAGES/messages.po", "rb") as f:
        catalog = read_po(f)
    missing = sorted(m for m in message_ids() if not (catalog.get(m) and catalog.get(m).string))
    assert not missing, f"untranslated: {missing}"


def test_the_committed_catalogue_is_compiled_from_its_po_and_the_portal_writes_no_file(seeded):
    from web.app import create_app
    from web.i18n import TRANSLATIONS, compiled

    po = TRANSLATIONS / "en/LC_MESSAGES/messages.po"
    mo = po.with_suffix(".mo")
    assert mo.read_bytes() == compiled(po), "run `python -m web.i18n` and commit the .mo"
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in TRANSLATIONS.rglob("*")  if p.is_file()}
    app = create_app(seeded[0], testing=True)
    app.test_client().get("/login")
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in TRANSLATIONS.rglob("*") if p.is_file()} == before


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
