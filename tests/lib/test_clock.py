"""What a document takes from the clock, at any hour: its FechaEmision, the date in its clave, its
schema set and its references are Costa Rica's (UTC-06:00), frozen at 00:05, 05:59, 12:00 and
23:55 there — the last one already the next day in UTC — and across the day the 2026 set starts."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from freezegun import freeze_time

from hacienda_cr.documents import build_document, default_schema_set, parse_document
from hacienda_cr.documents.types import SCHEMA_SET_2026_FROM
from hacienda_cr.validation import check_reception, validate_document

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
HOURS = ["00:05", "05:59", "12:00", "23:55"]
DAYS = ["2026-10-31", "2026-11-01", "2026-11-20"]  # the last day of the 2024 set, the first of 2026's, any day


def example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text())


def moments():
    return [datetime.fromisoformat(f"{day}T{hour}:00-06:00") for day in DAYS for hour in HOURS]


@pytest.mark.parametrize("moment", moments(), ids=lambda m: m.isoformat())
def test_a_document_issued_now_is_dated_in_costa_rica(moment, schema_store):
    expected_set = "v4.4-2026" if moment.date() >= SCHEMA_SET_2026_FROM else "v4.4"
    with freeze_time(moment):
        assert default_schema_set(None) == expected_set
        doc = example("factura")
        del doc["FacturaElectronica"]["FechaEmision"]
        built = build_document(doc)
        assert built.fecha == moment and built.fecha.utcoffset() == timedelta(hours=-6)
        assert built.clave[3:9] == moment.strftime("%d%m%y")  # the Costa Rican day, not UTC's
        assert built.schema_set == expected_set
        result = validate_document(built.xml, store=schema_store, signed=False)
        assert result.issues == []
        assert check_reception(result.document, datetime.now().astimezone()) == []


@pytest.mark.parametrize("moment", moments(), ids=lambda m: m.isoformat())
def test_a_reference_dated_by_its_day_alone_precedes_a_document_of_that_day(moment):
    """A purchase's supplier voucher known by its date: the start of that day in Costa Rica, so a
    Factura de Compra issued that same day, at any hour, refers to an earlier document."""
    with freeze_time(moment):
        doc = example("factura-compra")
        body = doc["FacturaElectronicaCompra"]
        del body["FechaEmision"]
        body["InformacionReferencia"][0]["FechaEmisionIR"] = moment.date().isoformat()
        built = build_document(doc)
        reference = built.data["InformacionReferencia"][0]["FechaEmisionIR"]
        assert reference.date() == moment.date() and reference <= built.fecha
        tomorrow = (moment.date() + timedelta(days=1)).isoformat()
        body["InformacionReferencia"][0]["FechaEmisionIR"] = tomorrow
        with pytest.raises(Exception, match="after the FechaEmision"):
            build_document(doc)


def test_schema_set_follows_the_costa_rican_day_of_a_utc_instant():
    last_evening = datetime.fromisoformat("2026-11-01T05:55:00+00:00")  # 31 October, 23:55 in Costa Rica
    assert default_schema_set(last_evening) == "v4.4"
    assert default_schema_set(last_evening + timedelta(minutes=10)) == "v4.4-2026"
    assert default_schema_set(date(2026, 11, 1)) == "v4.4-2026"


@pytest.mark.parametrize("moment", moments(), ids=lambda m: m.isoformat())
def test_the_simulator_judges_reception_on_the_same_clock(moment):
    """A document issued at the frozen moment and received a minute later is not 'from the future';
    one dated a day later is."""
    with freeze_time(moment):
        doc = example("tiquete")
        del doc["TiqueteElectronico"]["FechaEmision"]
        parsed = parse_document(build_document(doc).xml)
    assert check_reception(parsed, moment + timedelta(minutes=1)) == []
    assert [i.code for i in check_reception(parsed, moment - timedelta(days=1))] == ["p19.fecha-emision"]
