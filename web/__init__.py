"""The portal (and, in cli.py, the `dossier` command).

app.py       the factory: CSRF, sessions, security headers, error pages, blueprints
auth.py      sign-in/out, own password, language; every view is closed unless PUBLIC
records.py   search, archive page, document page, page images, downloads, grants
review.py    the review queue and its actions        desk.py    the intake monitor
audit_view.py  the audit trail and its CSV           admin.py   users and roles
services.py  the one verb each view calls: access checks (archive_store.access) and
             the audit event for every view, download and refusal
i18n.py, labels.py, translations/   Chinese by default, English catalogue
"""
