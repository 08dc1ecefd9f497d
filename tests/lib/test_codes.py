from decimal import Decimal

import pytest

from hacienda_cr.codes import LISTS, code_list, iva_rate


def test_every_friendly_name_resolves_in_both_sets():
    for name in LISTS:
        for schema_set in ("v4.4", "v4.4-2026"):
            assert code_list(name, schema_set), name


def test_lists_carry_hacienda_descriptions():
    assert code_list("payment_methods")["06"] == "SINPE MOVIL"
    assert code_list("identification_types") == {
        "01": "Cedula Fisica",
        "02": "Cedula Juridica",
        "03": "DIMEX",
        "04": "NITE",
        "05": "Extranjero No Domiciliado",
        "06": "No Contribuyente",
    }
    assert code_list("tax_conditions")["04"] == "Gasto corriente no genera crédito"
    assert iva_rate("08") == Decimal(13)


def test_unknown_list_is_named():
    with pytest.raises(KeyError, match="no code list 'nope'"):
        code_list("nope")
