"""The portal (and, in cli.py, the `dossier` command): adapters over archive_store's verbs.

app.py       the factory: CSRF, sessions, security headers, error pages, blueprints
auth.py      sign-in/out, own password, language; every view is closed unless PUBLIC
records.py   search, archive page, document page, page images, downloads, grants
review.py    the review queue and its actions        desk.py    the intake monitor
audit_view.py  the audit trail and its CSV           admin.py   users and roles
i18n.py, labels.py, translations/   Chinese by default, English catalogue

A view reads the request, calls one verb and renders. It checks no role and holds no
query, transaction or audit write: the verb does each, once (archive_store/__init__.py).
"""
