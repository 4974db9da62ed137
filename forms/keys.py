"""The field keys of FIELDS.md, per document kind, and the form of each value: declared
once here; the extractors' label tables, the index and the tests read them from here."""
from __future__ import annotations

KEYS: dict[str, tuple[str, ...]] = {
    "business_license": (
        "uscc", "name", "entity_type", "legal_representative", "registered_capital",
        "established_on", "term_end", "address", "business_scope", "registration_authority",
        "issued_on",
    ),
    "contract": (
        "contract_no", "title", "party_a", "party_b", "amount", "signed_on", "start_on", "end_on",
        "signatory_a", "signatory_b",
    ),
    "collection_form": (
        "customer_name", "customer_type", "uscc", "id_number", "contact_person", "phone", "email",
        "address", "industry", "source_channel", "needs", "collected_by", "collected_on",
    ),
}
ALL_KEYS = frozenset(key for keys in KEYS.values() for key in keys)

# The value column of FIELDS.md, for the keys whose form is not a code of their own.
DATE_KEYS = frozenset({"established_on", "term_end", "issued_on", "signed_on", "start_on", "end_on",
                       "collected_on"})  # term_end may also be `long_term`
MONEY_KEYS = frozenset({"registered_capital", "amount"})
TEXT_KEYS = frozenset({
    "name", "entity_type", "legal_representative", "address", "business_scope", "registration_authority",
    "contract_no", "title", "party_a", "party_b", "signatory_a", "signatory_b",
    "customer_name", "contact_person", "industry", "source_channel", "needs", "collected_by",
})
