"""The system of record. One module per lifecycle; each exposes verbs that take the system
and the acting `User`, check the rule (roles from `access`), change the rows and write the
audit event in one transaction, and re-index after the commit. `web/` and the `dossier`
command are thin adapters over these verbs.

system.py     open a data folder: settings, database (migrated), file store
models.py     every table (models hold data, no behaviour)
access.py     who may see which kinds and fields: decisions only, and `require`
redaction.py  secrets found by what they are (ID numbers, phones, e-mail, bank accounts) and masked
users.py      accounts: add, edit, sign-in, passwords
grants.py     a leader's grant of core-secret fields
viewing.py    opening a document, its page images and downloads, the archive page and catalogue
search.py     search with the user's permission filter      search_docs.py  keeping the index in step
review.py     review before a record takes effect
filing.py     filing a read document (numbering.py, matching.py, filestore.py beneath it)
audit.py      the HMAC-chained trail, key and head in the data folder   audit_log.py  the auditor's masked view and CSV
export.py, verify.py   the JSON-lines export and the fixity check
loans.py      view and borrow requests, two approvals, the borrow desk, views that open for a while,
              the borrow log (借阅登记表) and the hand-over list   borrow_log.py  the log as CSV and A4 PDF
backup.py     backups kept elsewhere, restore, the restore drill (恢复演练), prune, backups_holding
Coming: retention.py (rules,
due dates, legal holds), disposal.py (batches and destruction certificates), archives.py
(archives by hand, merging, the two-person check).
The quarantine's actions live with the inbox, in intake/quarantine.py, on the same shape.
"""
