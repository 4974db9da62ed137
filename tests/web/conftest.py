"""Portal fixtures: a seeded data folder shared by the module, a test client, a live server."""
from __future__ import annotations

import re
from contextlib import contextmanager

import pytest

from tests.conftest import serve
from tests.web.seed import PASSWORD, USERS, seed


@pytest.fixture(scope="session")
def seeded(tmp_path_factory):
    from archive_store.system import init_data_dir

    system, _ = init_data_dir(tmp_path_factory.mktemp("portal") / "data")
    data = seed(system)
    yield system, data
    system.close()


@pytest.fixture(scope="session")
def app(seeded):
    from web.app import create_app

    return create_app(seeded[0], testing=True)


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_from(html: str) -> str:
    m = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert m, "no CSRF token on the page"
    return m.group(1)


def sign_in(client, role: str, password: str = PASSWORD):
    page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    return client.post("/login", data={"username": USERS[role], "password": password, "csrf_token": token})


@pytest.fixture(scope="session")
def live_server(app):
    """The seeded portal on a free loopback port, for the browser tests."""
    with serve(app) as url:
        yield url


@contextmanager
def pages_as(browser, base_url: str, width: int = 1366):
    """`open_as(role)`: a signed-in page for the seeded account of that role, in a browser
    context of its own at this width; every context is closed afterwards."""
    contexts = []

    def open_as(role: str):
        ctx = browser.new_context(viewport={"width": width, "height": 800}, locale="zh-CN")
        contexts.append(ctx)
        page = ctx.new_page()
        page.goto(f"{base_url}/login")
        page.fill("#username", USERS[role])
        page.fill("#password", PASSWORD)
        page.click("form.stack button[type=submit]")
        page.wait_for_load_state()
        assert "/login" not in page.url, f"{role} could not sign in"
        return page

    try:
        yield open_as
    finally:
        for ctx in contexts:
            ctx.close()
