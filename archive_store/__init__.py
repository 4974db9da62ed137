"""The system of record. One module per lifecycle; each exposes verbs that take the system
and the acting `User`, check the rule (roles from `access`), change the rows and write the
audit event in one transaction, and re-index after the commit. `web/` and the `dossier`
command are thin adapters over these verbs.

Foundations
  system.py     open a data folder: settings, database (migrated), file store
  models.py     every table (models hold data, no behaviour)     settings.py, db.py, errors.py
  access.py     who may see which kinds and fields: decisions only, and `require`
  redaction.py  secrets found by what they are (ID numbers, phones, e-mail, bank accounts)
  audit.py      the keyed, anchored hash chain      audit_log.py  the auditor's masked view
  messages.py   what the records say to a person, as codes   csvfile.py, workdays.py
  filing.py     filing a read document (numbering.py, matching.py, filestore.py beneath it)
Lifecycles
  users.py      accounts, sign-in, passwords          grants.py     core-secret grants
  viewing.py    a document, its pages and downloads; an archive's card and catalogue
  search.py     search with the user's permissions    search_docs.py  the index (whoosh or PostgreSQL) kept in step
  unsorted.py   the clerk's tray of unrecognised scans   corrections.py  fixing what was read
  review.py     review before a record takes effect   worklists.py  the queue and my work
  archives.py   archives by hand, lists, merging      changes.py    the two-person check
  catalogue.py  the 卷内目录 as PDF and CSV
  loans.py      view and borrow requests, the borrow desk   borrow_log.py  the 借阅登记表
  retention.py  rules, due dates, legal holds         disposal.py   batches and certificates
  backup.py     backups kept elsewhere, restore, the restore drill, prune
  export.py, verify.py   the JSON-lines export and the fixity check
The quarantine's actions and the live intake page live with the inbox (intake/quarantine.py,
intake/desk.py), on the same shape.
"""
