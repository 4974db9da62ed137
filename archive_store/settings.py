"""Settings: `dossier.toml` in the data folder, with the environment on top.

Loaded once at start and passed down; nothing reads the file again behind the caller's back.
"""
from __future__ import annotations

import os
import re
import secrets
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from archive_store.errors import SetupError

SETTINGS_FILE = "dossier.toml"
DEFAULT_PATTERN = "{year}{biz}{ctype}{seq:3}"
PATTERN_TOKENS = re.compile(r"\{(year|month|day|biz|ctype|seq:(\d+))\}")

DEFAULT_TOML = """\
# Dossier settings. Environment variables DOSSIER_DATA and DATABASE_URL override.

# SQLite in the data folder by default; a PostgreSQL URL works the same. A relative SQLite
# path is inside the data folder, so a copied, moved or restored folder uses its own.
database_url = "sqlite:///dossier.db"

# Archive numbers: tokens {{year}} {{month}} {{day}} {{biz}} {{ctype}} {{seq:N}}.
# The sequence counts within the other tokens and grows past N digits.
numbering_pattern = "{pattern}"

default_business_line = "P"

# Our own companies: on a contract, the customer is the party that is not one of these.
our_companies = []

# The secret that signs portal sessions; generated at init, never shared.
secret_key = "{secret}"

# true when the portal is reached over HTTPS (behind a TLS proxy): the session cookie
# is then sent only over HTTPS.
secure_cookies = false

[business_lines]
P = "产品"
S = "服务"

[ocr]
engine = "rapidocr"    # or "tesseract"
workers = 0            # 0: one per core
memory_limit_mb = 2048 # each reading process; a file that needs more is quarantined as too_large

[intake]
# A worker renews its lease while it runs; one that has not for this long is taken for dead
# and another worker (on this machine or another sharing the data folder) finishes its files.
lease_seconds = 60

[loans]
# Borrow periods count working days: weekends and these holidays are skipped, and the
# make-up working days (调休上班) listed in `workdays` count although they fall on a weekend.
holidays = []          # e.g. ["2026-10-01", "2026-10-02"]
workdays = []          # e.g. ["2026-09-27"]
max_days = 10          # the longest period a borrow or an extension may ask for, in working days
view_minutes = 120     # how long one opening of an approved view stays open

[index]
# Where the search index lives: "embedded" (whoosh files in the data folder's index/, one
# copy per machine) or "postgresql" (in the database itself, one copy every portal process
# and machine searches; needs database_url to be PostgreSQL). `dossier reindex` after a change.
backend = "embedded"

[backup]
# dest = "/mnt/backup/dossier"   # where `dossier backup`, `drill` and `prune` go by default
keep_days = 365                  # `dossier backup prune` removes backups older than this
drill_max_age_days = 90          # the portal warns when the last restore drill is older

[web]
workers = 0            # portal processes; 0: one per core (`dossier run --web-workers` overrides)
"""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    secret_key: str
    numbering_pattern: str = DEFAULT_PATTERN
    business_lines: dict[str, str] = field(default_factory=lambda: {"P": "产品", "S": "服务"})
    default_business_line: str = "P"
    our_companies: tuple[str, ...] = ()
    ocr_engine: str = "rapidocr"
    ocr_workers: int = 0
    # the address space each reading worker may use; files that need more are too_large
    ocr_memory_limit_mb: int = 2048
    holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()
    borrow_max_days: int = 10
    view_minutes: int = 120
    rules: ArchiveRules = field(default_factory=lambda: ArchiveRules())
    secure_cookies: bool = False
    backup_dest: Path | None = None
    backup_keep_days: int = 365
    drill_max_age_days: int = 90
    web_workers: int = 0  # portal processes, 0: one per core
    index_backend: str = "embedded"  # or "postgresql"
    lease_seconds: int = 60

    @property
    def inbox(self) -> Path:
        return self.data_dir / "inbox"

    @property
    def work(self) -> Path:
        return self.data_dir / "work"

    @property
    def quarantine(self) -> Path:
        return self.data_dir / "quarantine"

    @property
    def store(self) -> Path:
        return self.data_dir / "store"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def certificates(self) -> Path:
        return self.data_dir / "certificates"


def data_dir_from_env(explicit: str | os.PathLike | None = None) -> Path:
    """The data folder: the explicit one, else $DOSSIER_DATA, else ./dossier-data."""
    raw = explicit or os.environ.get("DOSSIER_DATA") or "dossier-data"
    return Path(raw).expanduser().resolve()


def write_default_settings(data_dir: Path) -> Path:
    path = data_dir / SETTINGS_FILE
    text = DEFAULT_TOML.format(pattern=DEFAULT_PATTERN, secret=secrets.token_hex(32))
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)  # it holds the session secret
    return path


def load_settings(data_dir: str | os.PathLike | None = None) -> Settings:
    """Read and check the settings; any problem is one `SetupError` sentence."""
    root = data_dir_from_env(data_dir)
    if not root.is_dir():
        raise SetupError(
            f"data folder {root} does not exist: run `dossier init` first "
            "(or set DOSSIER_DATA to an existing data folder)"
        )
    path = root / SETTINGS_FILE
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SetupError(f"{path} is missing: run `dossier init --data {root}` to create it") from None
    except PermissionError:
        raise SetupError(f"cannot read {path}: check its permissions") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SetupError(f"{path} is not valid TOML ({exc}): fix the file") from None
    return _check(root, raw, path)


def _check(root: Path, raw: dict, path: Path) -> Settings:
    def bad(key: str, why: str) -> SetupError:
        return SetupError(f"setting `{key}` in {path} {why}")

    url = os.environ.get("DATABASE_URL") or raw.get("database_url") or DEFAULT_DATABASE_URL
    if not isinstance(url, str) or "://" not in url:
        raise bad("database_url", "must be a database URL such as sqlite:///dossier.db")
    url = _database_in_folder(root, url, from_file=not os.environ.get("DATABASE_URL"), bad=bad)

    pattern = raw.get("numbering_pattern", DEFAULT_PATTERN)
    if not isinstance(pattern, str):
        raise bad("numbering_pattern", "must be a string")
    check_pattern(pattern, lambda why: bad("numbering_pattern", why))

    lines = raw.get("business_lines", {"P": "产品", "S": "服务"})
    if not isinstance(lines, dict) or not lines or not all(
        isinstance(k, str) and re.fullmatch(r"[A-Z0-9]{1,4}", k) and isinstance(v, str) and v
        for k, v in lines.items()
    ):
        raise bad("business_lines", "must map codes of 1-4 capital letters or digits to names, e.g. P = \"产品\"")

    default = raw.get("default_business_line", next(iter(lines)))
    if default not in lines:
        raise bad("default_business_line", f"is {default!r}, which is not one of {sorted(lines)}")

    companies = raw.get("our_companies", [])
    if not isinstance(companies, list) or not all(isinstance(c, str) for c in companies):
        raise bad("our_companies", "must be a list of company names")

    secret = raw.get("secret_key")
    if not isinstance(secret, str) or len(secret) < 32:
        raise bad("secret_key", "must be a random string of at least 32 characters (run `dossier init` on a new folder to get one)")

    ocr = raw.get("ocr", {})
    engine = ocr.get("engine", "rapidocr") if isinstance(ocr, dict) else None
    if engine not in ("rapidocr", "tesseract"):
        raise bad("ocr.engine", "must be \"rapidocr\" or \"tesseract\"")
    workers = ocr.get("workers", 0)
    if not isinstance(workers, int) or workers < 0:
        raise bad("ocr.workers", "must be a whole number, 0 for one per core")
    memory = ocr.get("memory_limit_mb", 2048)
    # below ~1 GB a RapidOCR worker cannot even load its models (it maps ~0.8 GB idle)
    if not isinstance(memory, int) or isinstance(memory, bool) or memory < 1024:
        raise bad("ocr.memory_limit_mb", "must be a whole number of megabytes, at least 1024")

    intake = raw.get("intake", {})
    lease = intake.get("lease_seconds", 60) if isinstance(intake, dict) else None
    if not isinstance(lease, int) or isinstance(lease, bool) or not 3 <= lease <= 3600:
        raise bad("intake.lease_seconds", "must be a whole number of seconds between 3 and 3600")

    loans = raw.get("loans", {})
    if not isinstance(loans, dict):
        raise bad("loans", "must be a table: [loans]")
    holidays = _dates(loans.get("holidays", []), lambda why: bad("loans.holidays", why))
    workdays = _dates(loans.get("workdays", []), lambda why: bad("loans.workdays", why))
    max_days = loans.get("max_days", 10)
    if not isinstance(max_days, int) or isinstance(max_days, bool) or not 1 <= max_days <= 250:
        raise bad("loans.max_days", "must be a whole number of working days between 1 and 250")
    view_minutes = loans.get("view_minutes", 120)
    if not isinstance(view_minutes, int) or isinstance(view_minutes, bool) or not 5 <= view_minutes <= 24 * 60:
        raise bad("loans.view_minutes", "must be a whole number of minutes between 5 and 1440")
    secure = raw.get("secure_cookies", False)
    if not isinstance(secure, bool):
        raise bad("secure_cookies", "must be true or false")
    backup = raw.get("backup", {})
    if not isinstance(backup, dict):
        raise bad("backup", "must be a table: [backup]")
    dest = backup.get("dest")
    if dest is not None and (not isinstance(dest, str) or not dest.strip()):
        raise bad("backup.dest", "must be a folder path")
    keep_days, drill_days = backup.get("keep_days", 365), backup.get("drill_max_age_days", 90)
    for key, value in (("backup.keep_days", keep_days), ("backup.drill_max_age_days", drill_days)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise bad(key, "must be a whole number of days, at least 1")
    web = raw.get("web", {})
    if not isinstance(web, dict):
        raise bad("web", "must be a table: [web]")
    web_workers = web.get("workers", 0)
    if not isinstance(web_workers, int) or isinstance(web_workers, bool) or web_workers < 0:
        raise bad("web.workers", "must be a whole number, 0 for one per core")

    index = raw.get("index", {})
    if not isinstance(index, dict):
        raise bad("index", "must be a table: [index]")
    backend = index.get("backend", "embedded")
    if backend not in INDEX_BACKENDS:
        raise bad("index.backend", "must be \"embedded\" or \"postgresql\"")
    if backend == "postgresql" and not url.startswith("postgresql"):
        raise bad("index.backend", "is \"postgresql\", which keeps the search index in the database, but "
                  "database_url is not a PostgreSQL database: set database_url to one (postgresql+psycopg://…) "
                  "or use backend = \"embedded\"")

    return Settings(
        index_backend=backend,
        secure_cookies=secure,
        web_workers=web_workers,
        data_dir=root,
        database_url=url,
        secret_key=secret,
        numbering_pattern=pattern,
        business_lines=dict(lines),
        default_business_line=default,
        our_companies=tuple(companies),
        ocr_engine=engine,
        ocr_workers=workers,
        ocr_memory_limit_mb=memory,
        holidays=holidays,
        extra_workdays=workdays,
        borrow_max_days=max_days,
        view_minutes=view_minutes,
        rules=_rules(raw.get("rules", {}), bad),
        backup_dest=Path(dest).expanduser() if dest else None,
        backup_keep_days=keep_days,
        drill_max_age_days=drill_days,
        lease_seconds=lease,
    )


DEFAULT_DATABASE_URL = "sqlite:///dossier.db"
INDEX_BACKENDS = ("embedded", "postgresql")


def _database_in_folder(root: Path, url: str, *, from_file: bool, bad) -> str:
    """A relative SQLite path is resolved against the data folder, not the working directory:
    the folder then names nothing outside itself and works wherever it is copied."""
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - any unparsable URL is the same one-line refusal
        raise bad("database_url", "must be a database URL such as sqlite:///dossier.db") from None
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return url
    path = Path(parsed.database)
    if not path.is_absolute():
        return parsed.set(database=str(root / path)).render_as_string(hide_password=False)
    own = root / "dossier.db"
    if from_file and path != own and own.exists():
        # Folders made before the path became relative name their own absolute path: a copy
        # of one would silently keep writing into the original's database.
        raise bad("database_url", f"names {path}, but this folder has its own {own.name} (was the folder "
                  "copied or moved?): set database_url = \"sqlite:///dossier.db\" to use this folder's database")
    return url


def _dates(value, fail) -> frozenset[date]:
    # TOML has a date type; a quoted "2026-10-01" is taken as well, since both get written.
    if not isinstance(value, list):
        raise fail("must be a list of dates such as [\"2026-10-01\"]")
    out = set()
    for item in value:
        if isinstance(item, date):
            out.add(item)
            continue
        try:
            out.add(date.fromisoformat(str(item)))
        except ValueError:
            raise fail(f"has {item!r}, which is not a date written YYYY-MM-DD") from None
    return frozenset(out)


def check_pattern(pattern: str, fail) -> None:
    """A pattern needs exactly one {seq:N} and nothing but known tokens and plain characters."""
    seqs = [m for m in PATTERN_TOKENS.finditer(pattern) if m.group(1).startswith("seq")]
    if len(seqs) != 1:
        raise fail("must contain exactly one {seq:N} token")
    leftover = PATTERN_TOKENS.sub("", pattern)
    if "{" in leftover or "}" in leftover:
        raise fail("has an unknown token; known: {year} {month} {day} {biz} {ctype} {seq:N}")
    if not re.fullmatch(r"[A-Za-z0-9_-]*", leftover):
        raise fail("may hold only letters, digits, - and _ besides its tokens")
    if not 1 <= int(seqs[0].group(2)) <= 9:
        raise fail("needs a {seq:N} width between 1 and 9")


# --- the day-to-day rules of archives and accounts (POLICY.md) ---------------------------

@dataclass(frozen=True)
class ArchiveRules:
    """`[rules]` in dossier.toml; every key optional."""

    # 重要信息双人核对: a change to one of these (an archive's code, a document's field)
    # waits for a second person.
    important_fields: tuple[str, ...] = ("uscc", "id_number", "amount", "bank_account")
    late_entry_working_days: int = 2   # a collection form is filed within 2 working days of collection
    contact_days: int = 7              # a new customer is contacted within a week of filing
    password_max_age_days: int = 90    # then sign-in asks for a new one
    password_history: int = 5          # the last five may not be chosen again
    password_min_length: int = 10


def _rules(raw, bad) -> ArchiveRules:
    if not isinstance(raw, dict):
        raise bad("rules", "must be a table: [rules]")
    defaults = ArchiveRules()
    values = {}
    for name in ("late_entry_working_days", "contact_days", "password_max_age_days", "password_history",
                 "password_min_length"):
        value = raw.get(name, getattr(defaults, name))
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 3650:
            raise bad(f"rules.{name}", "must be a whole number from 1 to 3650")
        values[name] = value
    if values["password_min_length"] < 8:
        raise bad("rules.password_min_length", "must be at least 8")
    important = raw.get("important_fields", list(defaults.important_fields))
    if not isinstance(important, list) or not all(isinstance(k, str) and re.fullmatch(r"[a-z][a-z0-9_]{0,40}", k)
                                                  for k in important):
        raise bad("rules.important_fields", "must be a list of field keys, e.g. [\"uscc\", \"id_number\"]")
    return ArchiveRules(important_fields=tuple(important), **values)
