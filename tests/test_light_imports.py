"""A command loads only what it uses: the rooms' light modules do not pull in the heavy ones.

Each check runs in a fresh interpreter, since this one has loaded everything already."""
import subprocess
import sys

import pytest

HEAVY = ("alembic", "cn2an", "fpdf", "jieba", "numpy", "ocr", "onnxruntime", "rapidocr", "whoosh")


@pytest.mark.parametrize("statement, allowed", [
    ("import forms.text", ()),                        # the index and archive matching use it alone
    ("from index import QueryError, IndexDoc", ()),    # names the command line and intake use
    ("import archive_store.system", ()),              # every command opens the system
    ("from index import SearchIndex", ("numpy", "whoosh")),  # a search; jieba when a query needs it
])
def test_a_light_import_loads_no_heavy_module(statement, allowed):
    code = f"import sys\n{statement}\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert sorted(set(loaded) - set(allowed)) == []
