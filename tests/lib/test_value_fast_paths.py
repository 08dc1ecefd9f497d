"""Building parses and writes every value through per-type fast paths (``parser_for``,
``formatter_for``, the writer's inline f-strings ``inline_format``); they must answer exactly
as the general ``parse_value`` / ``format_value`` do, for every simple type of the schemas."""

from decimal import Decimal

import pytest

from hacienda_cr.documents import xsd_model
from hacienda_cr.documents.schema_tree import Simple
from hacienda_cr.documents.values import (
    _NOT_XML,
    INLINE_NAMESPACE,
    ValueProblem,
    format_value,
    formatter_for,
    inline_format,
    parse_value,
    parser_for,
)

SIMPLES = sorted(
    {v for v in vars(xsd_model).values() if isinstance(v, Simple)},
    key=lambda s: repr(s),
)

RAW = [
    "0", "1", "-1", "12", "123", "1.5", "1.50000", "1.500000", "1.123456", "1.12345000000", "0.00001",
    "0.000001", "1E-7", "1e3", "1.5E2", "2.5e-5", "1_000.5", "1_000.000_001", " 1.5 ", "1.5 ", "1.",
    ".5", "+3", "-0", "-0.00000", "NaN", "Infinity", "-Infinity", "abc", "", "9999999999999.99999",
    "10000000000000", "99999999999999999999", "123456789012", "1234567890123", "3101123456",
    0, 1, -5, 7, 99, 100, 10**15, 1.5, 0.1, True, False, None, Decimal("1.23"), Decimal("1.2300000"),
    Decimal("1E+3"), Decimal("-0"), Decimal("NaN"), [], {},
    "01", "02", "04", "08", "99", "CRC", "USD", "h", "Unid", "Sp", "a & b < c > d", "tab\there", "cr\rhere", "&", ">", "\r",
    "line\nfeed", "bad\x01char", "x" * 3, "x" * 600, "Café ñ", "8314100000000", "2026-11-20T10:15:00-06:00",
    "11", "5" * 50, "50620112500310112345600100001010000000001147102934", "A1" * 25,
]


def _outcome(fn, raw):
    try:
        value = fn(raw)
    except ValueProblem as exc:
        return ("problem", str(exc))
    return ("value", type(value), value, str(value) if isinstance(value, Decimal) else None)


@pytest.mark.parametrize("simple", SIMPLES, ids=lambda s: s.name or f"{s.base}")
def test_the_fast_parser_answers_as_parse_value(simple):
    fast = parser_for(simple)
    for raw in RAW:
        assert _outcome(fast, raw) == _outcome(lambda r: parse_value(r, simple), raw), (simple, raw)


@pytest.mark.parametrize("simple", SIMPLES, ids=lambda s: s.name or f"{s.base}")
def test_the_fast_formatters_write_as_format_value(simple):
    fast = formatter_for(simple)
    field = inline_format(simple, "v")
    inline = eval(f'lambda v: f"{field}"', dict(INLINE_NAMESPACE)) if field else None
    checked = 0
    for raw in RAW:
        try:
            value = parse_value(raw, simple)
        except ValueProblem:
            continue
        expected = format_value(value, simple)
        if simple.base == "string" and not all(v.isalnum() for v in simple.enum or ("&",)):
            expected = expected.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
        assert fast(value) == expected, (simple, raw)
        if inline is not None:
            assert inline(value) == expected, (simple, raw)
        checked += 1
    assert checked, f"no sample value fits {simple}"


def test_printable_text_never_holds_a_character_xml_refuses():
    """The text parser skips its search for characters XML refuses when the text is
    printable; that holds for every code point."""
    refused = [c for c in range(0x110000) if chr(c).isprintable() and _NOT_XML.search(chr(c))]
    assert refused == []


def test_a_number_longer_than_decimal_arithmetic_is_refused_naming_its_field():
    # 50 digits overflow the decimal context (28 digits): this was an uncaught InvalidOperation
    import json
    from pathlib import Path

    from hacienda_cr.documents import build_document
    from hacienda_cr.errors import InputError

    data = json.loads((Path(__file__).resolve().parents[2] / "docs" / "examples" / "factura.json").read_text())
    data["FacturaElectronica"]["DetalleServicio"]["LineaDetalle"][0]["Cantidad"] = "5" * 50
    with pytest.raises(InputError) as refused:
        build_document(data)
    [issue] = refused.value.issues
    assert issue.path == "FacturaElectronica/DetalleServicio/LineaDetalle[1]/Cantidad"
    assert "digits before the decimal point" in issue.message
