"""`dossier run` on a fresh folder: the admin password once, the portal up, the inbox watched."""
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from intake.lock import host_name
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


def _processes() -> dict[int, int]:
    """pid -> parent pid, for every process on the machine."""
    out = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2:].split()
        if fields[0] != "Z":
            out[int(stat.parent.name)] = int(fields[1])
    return out


def _descendants(pid: int) -> set[int]:
    parents = _processes()
    found, todo = set(), [pid]
    while todo:
        p = todo.pop()
        kids = {c for c, pp in parents.items() if pp == p}
        found |= kids
        todo += kids
    return found


def _open_files(pid: int) -> list[str]:
    try:
        return [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
    except OSError:
        return []


class Browser:
    """One signed-in person on one connection (cookies kept by hand)."""

    def __init__(self, port: int):
        self.port, self.cookie = port, ""

    def get(self, path: str, data: dict | None = None) -> tuple[int, str]:
        import http.client
        from urllib.parse import urlencode

        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)  # a new one each time
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if data is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request("POST" if data is not None else "GET", path,
                     body=urlencode(data) if data is not None else None, headers=headers)
        resp = conn.getresponse()
        body = resp.read().decode()
        cookie = resp.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        conn.close()
        return resp.status, body

    def sign_in(self, user: str, password: str) -> None:
        import re

        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', self.get("/login")[1]).group(1)
        assert self.get("/login", {"csrf_token": token, "username": user, "password": password})[0] == 302


def test_run_serves_from_several_processes_with_one_watcher_and_stops_on_sigterm(tmp_path):
    import re
    from urllib.parse import quote

    data, port = tmp_path / "dossier-data", free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DOSSIER_DATA", "DATABASE_URL")}
    log = tmp_path / "run.log"
    proc = subprocess.Popen([DOSSIER, "--data", str(data), "run", "--port", str(port), "--web-workers", "2"],
                            stdout=open(log, "w"), stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5).close()
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise AssertionError(log.read_text())
        assert "(2 processes)" in log.read_text()
        # The run process holds the watcher's lock and is the only one that does; its one child
        # is the portal's arbiter, with two workers.
        tree = _descendants(proc.pid)
        portal = [p for p in tree if "web.portal_server" in Path(f"/proc/{p}/cmdline").read_text()]
        arbiter = [p for p in portal if _processes().get(p) == proc.pid]
        assert len(arbiter) == 1 and len(_descendants(arbiter[0])) == 2, (tree, portal)
        workers = _descendants(arbiter[0])
        lock = str(data / "run" / f"watcher@{host_name()}.lock")
        assert [p for p in [proc.pid, *tree] if lock in _open_files(p)] == [proc.pid]
        second = run_dossier("run", "--port", str(free_port()), data=data, timeout=60)
        assert second.returncode == 2 and "another watcher" in second.stderr
        assert run_dossier("users", "add", "mgr", "--role", "archive_manager", data=data,
                           input="a-long-password-1\n").returncode == 0
        person = Browser(port)
        person.sign_in("mgr", "a-long-password-1")

        def index_files(pid: int) -> set[str]:
            return {f for f in _open_files(pid) if "/index/" in f}

        def file_one(i: int) -> tuple[str, str]:
            name = samples.docx_form(tmp_path / f"form{i}.docx", i)["客户名称"]
            os.rename(tmp_path / f"form{i}.docx", data / "inbox" / f"form{i}.docx")
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and f"filed: form{i}.docx" not in log.read_text():
                time.sleep(0.5)
            return name, re.search(rf"filed: form{i}\.docx → (\S+)", log.read_text()).group(1)

        def search_until(name: str, doc_no: str, done) -> None:
            """Search until `done`; once one search has found the document (the watcher indexes
            it a moment after filing it), every later one must, whichever process answers."""
            deadline, seen = time.monotonic() + 60, False
            while time.monotonic() < deadline and not (seen and done()):
                status, page = person.get(f"/search?q={quote(name)}")
                assert status == 200 and (doc_no in page or not seen)
                seen = doc_no in page
            assert seen and done()

        # Every process answers searches, and each keeps its index open between them ...
        first = file_one(1)
        search_until(*first, lambda: all(index_files(w) for w in workers))
        before = {w: index_files(w) for w in workers}
        # ... and finds a document the watcher files afterwards: each has moved on to the
        # index's new files without a restart.
        search_until(*file_one(2), lambda: all(index_files(w) != before[w] for w in workers))
        assert log.read_text().count("filed: form1.docx") == log.read_text().count("filed: form2.docx") == 1
    finally:
        os.kill(proc.pid, signal.SIGTERM)  # the run process only, as a service manager would
        proc.wait(timeout=60)
    assert proc.returncode == 0, log.read_text()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and set(_processes()) & (tree | workers):
        time.sleep(0.2)
    assert not set(_processes()) & (tree | workers), "processes left behind"


def test_the_portal_stops_when_dossier_run_is_killed_outright(tmp_path):
    data, port = tmp_path / "dossier-data", free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DOSSIER_DATA", "DATABASE_URL")}
    proc = subprocess.Popen([DOSSIER, "--data", str(data), "run", "--no-watch", "--port", str(port),
                             "--web-workers", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and len(_descendants(proc.pid)) < 3:  # arbiter + 2 workers
            time.sleep(0.2)
        portal = _descendants(proc.pid)
        assert len(portal) == 3
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and set(_processes()) & portal:
            time.sleep(0.2)
        assert not set(_processes()) & portal, "the portal outlived dossier run"
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # whatever is left of its session, if anything
        except ProcessLookupError:
            pass


def test_a_port_another_program_holds_is_refused_at_once(tmp_path):
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        result = run_dossier("run", "--no-watch", "--port", str(held.getsockname()[1]),
                             data=tmp_path / "dossier-data", timeout=60)
    assert result.returncode == 2 and "cannot serve the portal" in result.stderr
