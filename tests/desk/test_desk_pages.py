"""The tray and the document page's fixes through the portal (Flask's test client)."""
from __future__ import annotations

import re

from tests.desk.conftest import held
from tests.web.conftest import csrf_from, sign_in


def test_the_clerk_files_a_tray_item_from_its_page(client, seeded):
    system, _ = seeded
    item = held(system, name="未知扫描件.pdf")
    sign_in(client, "clerk")
    page = client.get("/tray/").get_data(as_text=True)
    assert "未知扫描件.pdf" in page
    page = client.get(f"/tray/{item}").get_data(as_text=True)
    token = csrf_from(page)
    client.post(f"/tray/{item}/kind", data={"csrf_token": token, "doc_type": "collection_form"})
    bad = client.post(f"/tray/{item}/field", data={"csrf_token": token, "key": "collected_on", "value": "上周"},
                      follow_redirects=True).get_data(as_text=True)
    assert "不是一个日期" in bad
    client.post(f"/tray/{item}/field", data={"csrf_token": token, "key": "customer_name", "value": "温州瓯江鞋业有限公司"})
    page = client.get(f"/tray/{item}").get_data(as_text=True)
    assert 'value="温州瓯江鞋业有限公司"' in page
    done = client.post(f"/tray/{item}/new", data={"csrf_token": token, "name": "温州瓯江鞋业有限公司",
                                                  "customer_type": "enterprise", "business_line": "P"})
    assert done.status_code == 302 and "/documents/" in done.headers["Location"]
    doc = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "温州瓯江鞋业有限公司" in doc and "原识别值：（未识别）" in doc and "clerk1" in doc


def test_a_refused_correction_comes_back_on_the_document_page_in_chinese_and_in_english(client, seeded):
    _, data = seeded
    sign_in(client, "clerk")
    url = f"/documents/{data.docs['pending_flagged']}"
    token = csrf_from(client.get(url).get_data(as_text=True))
    page = client.post(f"{url}/fix/field", data={"csrf_token": token, "key": "amount", "value": "两百万左右",
                                                 "reason": "x"}, follow_redirects=True).get_data(as_text=True)
    assert "两百万左右”不是一个确定的金额" in page
    client.get("/lang/en")
    page = client.post(f"{url}/fix/field", data={"csrf_token": token, "key": "amount", "value": "两百万左右",
                                                 "reason": "x"}, follow_redirects=True).get_data(as_text=True)
    assert re.search(r"is not a definite amount", page)


def test_an_upload_larger_than_the_portal_form_limit_is_taken(client, seeded, tmp_path):
    """The portal caps a request at 256 KB; the upload has the pipeline's own limit."""
    import io

    from PIL import Image

    img = Image.effect_noise((700, 700), 80).convert("RGB")  # noise does not compress: ~1 MB
    buf = io.BytesIO()
    img.save(buf, "PNG")
    assert buf.tell() > 300 * 1024
    sign_in(client, "clerk")
    token = csrf_from(client.get("/intake/").get_data(as_text=True))
    page = client.post("/intake/upload", data={"csrf_token": token, "business_line": "S",
                                               "files": [(io.BytesIO(buf.getvalue()), "大扫描.png")]},
                       content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "已放入收件箱 1 个文件" in page
    assert (seeded[0].settings.inbox / "S" / "大扫描.png").is_file()
    (seeded[0].settings.inbox / "S" / "大扫描.png").unlink()  # not for this session's watcher


def test_the_live_intake_list_says_which_page_is_being_read_in_chinese_and_in_english(client, seeded):
    from archive_store.models import IntakeJob

    system, _ = seeded
    with system.db.write() as s:
        job = IntakeJob(source_name="长扫描件.pdf", work_path="none", business_line="P", state="claimed",
                        stage="reading", pages=12, pages_read=4)
        s.add(job)
        s.flush()
        job_id = job.id
    try:
        sign_in(client, "clerk")
        zh = client.get("/intake/live").get_data(as_text=True)
        assert re.search(r"长扫描件.pdf · <strong>正在识别第 5 页，共 12 页</strong>", zh), zh
        client.get("/lang/en")
        en = client.get("/intake/live").get_data(as_text=True)
        assert "长扫描件.pdf · <strong>Reading page 5 of 12</strong>" in en
    finally:
        with system.db.write() as s:
            s.delete(s.get(IntakeJob, job_id))
