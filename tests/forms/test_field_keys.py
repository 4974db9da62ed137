"""FIELDS.md's keys are declared once (forms/keys.py); everything else that names them agrees."""
import pytest

from archive_store.access import FIELD_GROUPS, GROUP_OF
from forms import collection, contract, license
from forms.keys import ALL_KEYS, DATE_KEYS, KEYS, MONEY_KEYS, TEXT_KEYS
from forms.layout import Labels


def test_every_declared_key_has_a_field_group():
    assert sorted(ALL_KEYS - set(GROUP_OF)) == []


def test_every_field_group_key_is_declared():
    """Or is a secret found by what it is in any text (a bank account: no form has its field)."""
    from archive_store.redaction import KIND_GROUP

    assert sorted(set().union(*FIELD_GROUPS.values()) - ALL_KEYS - set(KIND_GROUP)) == []


def test_value_forms_name_only_declared_keys():
    assert DATE_KEYS | MONEY_KEYS | TEXT_KEYS <= ALL_KEYS
    assert not (DATE_KEYS & MONEY_KEYS or DATE_KEYS & TEXT_KEYS or MONEY_KEYS & TEXT_KEYS)


@pytest.mark.parametrize("module, kind", [(license, "business_license"), (contract, "contract"),
                                          (collection, "collection_form")])
def test_each_extractor_reads_only_its_kinds_keys(module, kind):
    fields = {k for k in module.LABELS.table if not k.startswith("_")}
    assert fields <= set(KEYS[kind])


def test_a_label_table_with_an_undeclared_key_is_refused():
    with pytest.raises(ValueError, match="customer_nmae"):
        Labels("collection_form", {"customer_nmae": ["客户名称"]})
