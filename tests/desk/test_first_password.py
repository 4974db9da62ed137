"""The first sign-in with a generated password must set a new one before anything else."""
from __future__ import annotations

from tests.web.conftest import csrf_from


def test_the_generated_admin_password_must_be_replaced_at_the_first_sign_in(tmp_path):
    from archive_store.system import init_data_dir
    from web.app import create_app

    system, generated = init_data_dir(tmp_path / "data")
    try:
        client = create_app(system, testing=True).test_client()
        token = csrf_from(client.get("/login").get_data(as_text=True))
        client.post("/login", data={"username": "admin", "password": generated, "csrf_token": token})
        users = client.get("/admin/users")
        assert users.status_code == 302 and users.headers["Location"].endswith("/password")
        page = client.get("/password").get_data(as_text=True)
        assert "请先设置新密码" in page
        token = csrf_from(page)
        same = client.post("/password", data={"old": generated, "new": generated, "confirm": generated,
                                              "csrf_token": token})
        assert "不能与当前密码相同" in same.get_data(as_text=True)
        new = "a-new-admin-pass-2026"
        client.post("/password", data={"old": generated, "new": new, "confirm": new, "csrf_token": token})
        assert client.get("/admin/users").status_code == 200
    finally:
        system.close()
