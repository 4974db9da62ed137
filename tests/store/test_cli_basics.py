import json

from archive_store.filing import FilingInput, file_document
from archive_store.matching import CustomerRef
from tests.conftest import run_dossier


def test_init_creates_the_folder_and_prints_the_admin_password_once(tmp_path):
    data = tmp_path / "d"
    first = run_dossier("init", data=data)
    assert first.returncode == 0, first.stderr
    assert "password:" in first.stdout
    for sub in ("inbox", "work", "quarantine", "store", "index", "certificates", "inbox/P", "inbox/S"):
        assert (data / sub).is_dir(), sub
    assert oct((data / "dossier.toml").stat().st_mode & 0o777) == "0o600"
    again = run_dossier("init", data=data)
    assert again.returncode == 0 and "password:" not in again.stdout


def test_no_two_data_folders_share_a_secret_or_a_password(tmp_path):
    a = run_dossier("init", data=tmp_path / "a").stdout
    b = run_dossier("init", data=tmp_path / "b").stdout
    assert a.split("password:")[1].split()[0] != b.split("password:")[1].split()[0]
    secret = lambda d: [l for l in (tmp_path / d / "dossier.toml").read_text().splitlines() if l.startswith("secret_key")]
    assert secret("a") != secret("b")


def test_users_add_reads_the_password_from_stdin_and_hashes_it(system):
    result = run_dossier("users", "add", "lihua", "--role", "sales", data=system.settings.data_dir,
                         input="a-long-password-1\n")
    assert result.returncode == 0, result.stderr
    assert "a-long-password-1" not in result.stdout
    from archive_store.users import authenticate
    with system.db.read() as s:
        user = authenticate(s, "lihua", "a-long-password-1")
        assert user is not None and user.role == "sales"
        assert "a-long-password-1" not in user.password_hash
        assert authenticate(s, "lihua", "wrong-password") is None


def test_users_add_generates_a_password_when_asked(system):
    result = run_dossier("users", "add", "wang", "--role", "clerk", "--generate", data=system.settings.data_dir)
    assert result.returncode == 0 and "password:" in result.stdout


def test_users_add_refuses_short_passwords_and_unknown_roles(system):
    short = run_dossier("users", "add", "zhao", "--role", "clerk", data=system.settings.data_dir, input="short\n")
    assert short.returncode == 1 and "至少需要10个字符" in short.stderr
    role = run_dossier("users", "add", "zhao", "--role", "boss", data=system.settings.data_dir, input="long-enough-pw\n")
    assert role.returncode == 1 and "未知角色" in role.stderr


def test_every_command_explains_itself():
    for args in (["--help"], ["init", "--help"], ["run", "--help"], ["users", "add", "--help"],
                 ["export", "--help"], ["verify", "--help"], ["audit", "verify", "--help"]):
        result = run_dossier(*args)
        assert result.returncode == 0 and len(result.stdout) > 80, args


def test_export_prints_one_json_line_per_document(system):
    with system.db.write() as s:
        for i, name in enumerate(["上海甲有限公司", "上海乙有限公司"]):
            file_document(s, system.settings, actor="clerk1", item=FilingInput(
                source_name=f"{i}.pdf", sha256=f"{i:064x}", size=10, media_type="application/pdf",
                customer=CustomerRef("enterprise", name=name), business_line="S", doc_type="contract",
                fields={"party_b": name, "amount": "1000.00"}, field_confidence={"amount": 0.97},
                review_reasons=("amount: the 大写 words disagree with the figure",)))
    result = run_dossier("export", "--format", "jsonl", data=system.settings.data_dir)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 2
    first = records[0]
    for key in ("doc_no", "archive_no", "doc_type", "source_name", "sha256", "pages", "script",
                "status", "fields", "field_confidence", "customer", "filed_at"):
        assert key in first, key
    assert first["doc_no"].startswith(first["archive_no"] + "-")
    assert first["status"] == "pending_review"
    assert first["fields"]["party_b"] == "上海甲有限公司"
    assert first["customer"]["business_line"] == "S"
    assert first["review_reasons"] == ["amount: the 大写 words disagree with the figure"]


def test_search_as_a_user_sees_what_that_user_sees_and_refusals_exit_1(world):
    system, data = world
    data_dir = system.settings.data_dir
    everything = json.loads(run_dossier("search", "id_number:11010519491231002X", "--json", data=data_dir).stdout)
    assert data.docs["person_form"] in {h["doc_no"] for h in everything["hits"]}
    as_leader = run_dossier("search", "id_number:11010519491231002X", "--json", "--as", "leader1", data=data_dir)
    assert as_leader.returncode == 0 and json.loads(as_leader.stdout)["total"] >= 1
    for args in (["id_number:11010519491231002X", "--as", "sales1"],   # a field sales may not see
                 ['"unclosed', "--as", "clerk1"],                       # a query the language cannot read
                 ["合同", "--as", "nobody"],                             # no such account
                 ["合同", "--as", "auditor1"]):                          # a role that opens no document
        result = run_dossier("search", *args, data=data_dir)
        assert result.returncode == 1, (args, result.stderr)
        assert result.stderr.startswith("dossier: ") and len(result.stderr.strip().splitlines()) == 1


def test_a_missing_record_on_the_command_line_exits_1(world):
    system, _ = world
    result = run_dossier("quarantine", "retry", "no-such-file.pdf", data=system.settings.data_dir)
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1
