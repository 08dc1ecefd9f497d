"""The committed schema model is what the generator makes from the official XSDs."""

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_generated_model_is_current(tmp_path, xsd_dir):
    spec = importlib.util.spec_from_file_location("gen_xsd_model", REPO / "tools" / "gen_xsd_model.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    out = tmp_path / "hacienda_cr"
    (out / "documents").mkdir(parents=True)
    gen.main(xsd_dir, out)
    for rel in ("documents/xsd_model.py", "codes_data.py"):
        committed = (REPO / "src" / "hacienda_cr" / rel).read_text(encoding="utf-8")
        fresh = (out / rel).read_text(encoding="utf-8")
        assert fresh == committed, f"{rel} is stale: run tools/gen_xsd_model.py {xsd_dir}"


def test_model_has_every_document_in_both_sets():
    from hacienda_cr.documents.xsd_model import DOCUMENTS

    assert set(DOCUMENTS) == {"v4.4", "v4.4-2026"}
    for docs in DOCUMENTS.values():
        assert set(docs) == {"01", "02", "03", "04", "05", "08", "09", "10", "MH"}


def test_2026_revision_differs_where_announced():
    from hacienda_cr.codes_data import CODE_LISTS

    old, new = CODE_LISTS["v4.4"], CODE_LISTS["v4.4-2026"]
    assert set(new["CodigoReferencia"]) - set(old["CodigoReferencia"]) == {"13", "14", "15", "16", "17"}
    assert set(new["TipoDocReferencia"]) - set(old["TipoDocReferencia"]) == {"19", "20"}
    assert new["TipoMedioPago"]["06"] == "SINPE MOVIL"


def test_clave_pattern_is_alphanumeric_only_in_2026():
    from hacienda_cr.documents.xsd_model import DOCUMENTS

    for code in ("01", "05", "MH"):
        assert DOCUMENTS["v4.4"][code].root.child("Clave").simple.pattern == r"\d{50,50}"
        assert DOCUMENTS["v4.4-2026"][code].root.child("Clave").simple.pattern == "[a-zA-Z0-9]{50,50}"
