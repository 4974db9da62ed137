"""Fixtures shared by every room's tests."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
DOSSIER = str(Path(sys.executable).parent / "dossier")


@pytest.fixture
def system(tmp_path):
    """A fresh data folder, initialised and migrated, with its admin account."""
    from archive_store.system import init_data_dir

    sys_, _password = init_data_dir(tmp_path / "data")
    yield sys_
    sys_.close()


def run_dossier(*args: str, data: Path | None = None, input: str | None = None,
                env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real `dossier` command as a user would."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("DOSSIER_DATA", "DATABASE_URL")}
    full_env.update(env or {})
    cmd = [DOSSIER] + (["--data", str(data)] if data else []) + list(args)
    return subprocess.run(cmd, input=input, capture_output=True, text=True, env=full_env, timeout=timeout)
