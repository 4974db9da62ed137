"""The portal tells the archive manager and the auditor when the last restore drill ran."""
from __future__ import annotations


from archive_store import backup as safekeeping
from archive_store.users import console_actor
from tests.web.conftest import sign_in


def test_the_archive_manager_and_the_auditor_see_the_last_drill_and_others_do_not(tmp_path):
    from archive_store.system import init_data_dir
    from tests.web.seed import seed
    from web.app import create_app

    system, _ = init_data_dir(tmp_path / "data")
    seed(system)
    app = create_app(system, testing=True)

    def page(role: str, path: str) -> str:
        client = app.test_client()
        sign_in(client, role)
        response = client.get(path)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    assert "从未进行过恢复演练" in page("archive_manager", "/search")
    assert "从未进行过恢复演练" in page("auditor", "/audit/")
    safekeeping.backup(system, console_actor(), tmp_path / "offsite")
    safekeeping.drill(system, console_actor(), tmp_path / "offsite")
    shown = page("archive_manager", "/search")
    assert "上次恢复演练" in shown and "通过" in shown and 'role="status"' in shown
    assert "上次恢复演练" in page("auditor", "/audit/")
    assert "恢复演练" not in page("sales", "/search")
    system.close()
