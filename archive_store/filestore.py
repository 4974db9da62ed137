"""Content-addressed store of originals and their derivatives: `store/ab/cd/<sha256>`.

Each file is written once: to a temporary file beside its final place, fsynced, renamed
into place, made read-only, and the folder fsynced, so a crash leaves either the whole file
or nothing under its name. `check()` is the fixity pass behind `dossier verify`.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

_SHA = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class FixityProblem:
    sha256: str
    problem: str  # "missing" | "altered" | "not destroyed" (verify.leftover_files)
    path: Path


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


class FileStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        # The name is checked before it becomes a path: nothing from outside reaches the disk.
        if not _SHA.fullmatch(sha256):
            raise ValueError(f"not a sha256 digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def has(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def put_bytes(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        if not self.has(sha):
            self._write(sha, lambda out: out.write(data))
        return sha

    def put_file(self, source: Path) -> str:
        sha = sha256_file(source)
        if not self.has(sha):
            def copy(out: BinaryIO) -> None:
                with open(source, "rb") as src:
                    while chunk := src.read(_CHUNK):
                        out.write(chunk)
            self._write(sha, copy)
            if sha256_file(self.path_for(sha)) != sha:  # the source changed while we copied
                raise OSError(f"{source} changed while it was being stored")
        return sha

    def read(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()

    def remove(self, sha256: str) -> None:
        """For destruction only: the store is otherwise write-once."""
        path = self.path_for(sha256)
        if path.exists():
            path.chmod(0o600)
            path.unlink()
            fsync_dir(path.parent)

    def _write(self, sha: str, fill) -> None:
        final = self.path_for(sha)
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                fill(out)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o400)  # read-only, and for the service's own user alone
            os.replace(tmp, final)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        fsync_dir(final.parent)

    def check(self, expected: Iterable[str]) -> list[FixityProblem]:
        """Re-hash every expected file; report each one missing or altered. Changes nothing."""
        problems = []
        for sha in expected:
            path = self.path_for(sha)
            if not path.is_file():
                problems.append(FixityProblem(sha, "missing", path))
            elif sha256_file(path) != sha:
                problems.append(FixityProblem(sha, "altered", path))
        return problems


def fsync_dir(path: Path) -> None:
    """Make a rename or a new entry in `path` durable (backup.py uses it too)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
