"""The desk's verb tests share the store tests' seeded world and a few helpers."""
from __future__ import annotations

import pytest

from tests.store.conftest import users_of, world  # noqa: F401  (fixtures)


@pytest.fixture(scope="module")
def users(world):
    return users_of(world[0])


def held(system, *, name="memo.txt", doc_type="other", fields=None, problems=None, line="P",
         customer_type="enterprise", text="一份未能识别的文件") -> int:
    """A tray item put there the way the pipeline does, without reading a file."""
    import hashlib
    import uuid

    from archive_store import messages, unsorted
    from archive_store.filing import FilingInput
    from archive_store.matching import CustomerRef

    data = (name + uuid.uuid4().hex).encode()
    sha = system.store.put_bytes(data)
    assert sha == hashlib.sha256(data).hexdigest()
    fields = fields or {}
    with system.db.write() as s:
        row = unsorted.hold(s, actor="system:test", item=FilingInput(
            source_name=name, sha256=sha, size=len(data), media_type="text/plain",
            customer=CustomerRef(customer_type), business_line=line, doc_type=doc_type, text=text,
            fields=fields, field_confidence={k: 0.9 for k in fields}, field_problems=problems or {},
            review_reasons=(messages.reason("kind_unknown"), messages.reason("customer_unknown"))))
        return row.id


from tests.web.conftest import app, client, live_server, seeded  # noqa: E402,F401  (fixtures)
