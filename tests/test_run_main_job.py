"""`dossier run` on a fresh folder: the admin password once, the portal up, the inbox watched."""
import os
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from tests.conftest import DOSSIER, run_dossier
from tests.intake import samples

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_run_initialises_serves_and_files(tmp_path):
    data, port = tmp_path / "dossier-data", free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DOSSIER_DATA", "DATABASE_URL")}
    log = tmp_path / "run.log"
    proc = subprocess.Popen([DOSSIER, "--data", str(data), "run", "--port", str(port)],
                            stdout=open(log, "w"), stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                    assert r.status == 200
                    break
            except OSError:
                time.sleep(0.5)
        else:
            raise AssertionError(log.read_text())
        assert "password:" in log.read_text()
        samples.docx_form(tmp_path / "form.docx", 1)
        os.rename(tmp_path / "form.docx", data / "inbox" / "form.docx")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and "filed: form.docx" not in log.read_text():
            time.sleep(0.5)
        assert "filed: form.docx" in log.read_text(), log.read_text()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
    assert proc.returncode == 0, log.read_text()
    exported = run_dossier("export", data=data).stdout
    assert '"source_name": "form.docx"' in exported
