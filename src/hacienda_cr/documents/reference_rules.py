"""The rules of InformacionReferencia (which document types reference what, and how) and
of the Mensaje Receptor."""

from __future__ import annotations

import re
from datetime import datetime

from hacienda_cr.clave import Clave, Consecutivo
from hacienda_cr.documents.annex import A
from hacienda_cr.documents.tree_data import child_path
from hacienda_cr.documents.types import RECEPTOR_TYPE_BY_MENSAJE, DocumentType
from hacienda_cr.errors import InputError, Issue

FEC, REP = "08", "10"
NOTES = ("02", "03")
MONTH_END = "13"  # facturación mes vencido: a reference that needs only its date
# TipoDocIR whose Numero is a clave (p. 57), with the document type the clave must carry
# where the code names one.
CLAVE_REFERENCES = {"01": "01", "02": "02", "03": "03", "04": "04", "09": None, "11": None, "12": "09", "15": "08"}
CLAVE_REFERENCES_2026 = {**CLAVE_REFERENCES, "19": "09", "20": "10"}
REP_REFERENCES = {"01", "02", "03", "04", "07", "08", "10"}
REP_REFERENCES_2026 = REP_REFERENCES | {"19", "20"}
YEARS_BACK = 10
# NumeroCedulaEmisor of a Mensaje Receptor: cédula física, jurídica, DIMEX or NITE (p. 60).
TAXPAYER_NUMBER = re.compile(r"[1-9]\d{8}|\d{10}|[1-9]\d{10,11}")


def _years_before(when: datetime, years: int) -> datetime:
    try:
        return when.replace(year=when.year - years)
    except ValueError:  # 29 February
        return when.replace(year=when.year - years, day=28)


def check_references(doc_type: DocumentType, doc: dict, path: str, issues: list[Issue], schema_set: str) -> None:
    code = doc_type.code
    refs = doc.get("InformacionReferencia") or []
    in_2026 = schema_set != "v4.4"
    if not refs and (code in (FEC, REP, *NOTES) or (code == "01" and "11" in _exoneration_types(doc))):
        issues.append(
            A.REFERENCIA_REQUERIDA.issue(
                child_path(path, "InformacionReferencia"),
                f"is required in a {doc_type.name}"
                + (" with an exoneration of type 11 (autorización de impuesto local concreta)" if code == "01" else ""),
            )
        )
    fecha = doc.get("FechaEmision")
    clave_types = CLAVE_REFERENCES_2026 if in_2026 else CLAVE_REFERENCES
    rep_types = REP_REFERENCES_2026 if in_2026 else REP_REFERENCES
    for i, ref in enumerate(refs):
        rpath = child_path(path, "InformacionReferencia", i)
        kind = ref.get("TipoDocIR")
        A.TIPO_DOC_OTRO.require(ref, "TipoDocIR", "99", "TipoDocRefOTRO", rpath, issues)
        A.CODIGO_REFERENCIA_OTRO.require(ref, "Codigo", "99", "CodigoReferenciaOTRO", rpath, issues)
        tpath = child_path(rpath, "TipoDocIR")
        if kind == "16" and code != FEC:
            issues.append(
                A.TIPO_DOC_IR_16.issue(
                    tpath, "16 (proveedor no domiciliado) is used only in a Factura Electrónica de Compra"
                )
            )
        if kind == "09" and code not in NOTES:
            issues.append(
                A.TIPO_DOC_IR_09.issue(tpath, "09 (devolución de mercadería) is used only in credit and debit notes")
            )
        if code == REP and kind not in rep_types:
            issues.append(
                A.TIPO_DOC_IR_REP.issue(
                    tpath, f"a payment receipt references only types {', '.join(sorted(rep_types))}"
                )
            )
        if ref.get("Codigo") == "12" and code != "03":
            issues.append(
                A.CODIGO_REFERENCIA_12.issue(
                    child_path(rpath, "Codigo"), "12 (credit after a later exoneration) is used only in credit notes"
                )
            )
        if kind != MONTH_END:
            for key, rule in (
                ("Numero", A.REFERENCIA_NUMERO),
                ("Codigo", A.REFERENCIA_CODIGO),
                ("Razon", A.REFERENCIA_RAZON),
            ):
                if not ref.get(key):
                    issues.append(rule.issue(child_path(rpath, key), f"is required in a reference (TipoDocIR {kind})"))
        reason = ref.get("Razon")
        if reason and len(reason) < 3:
            issues.append(
                A.REFERENCIA_RAZON.issue(child_path(rpath, "Razon"), f"{reason!r} is shorter than 3 characters")
            )
        number = ref.get("Numero")
        if kind in clave_types and number:
            _check_referenced_clave(kind, number, clave_types[kind], child_path(rpath, "Numero"), in_2026, issues)
        when = ref.get("FechaEmisionIR")
        if isinstance(when, datetime) and isinstance(fecha, datetime):
            if when > fecha:
                issues.append(
                    A.REFERENCIA_FECHA.issue(
                        child_path(rpath, "FechaEmisionIR"), "is after the FechaEmision of this document"
                    )
                )
            elif when < _years_before(fecha, YEARS_BACK):
                issues.append(
                    A.REFERENCIA_FECHA.issue(
                        child_path(rpath, "FechaEmisionIR"), f"is more than {YEARS_BACK} years before this document"
                    )
                )


def _exoneration_types(doc: dict) -> set[str]:
    return {
        (tax.get("Exoneracion") or {}).get("TipoDocumentoEX1")
        for line in (doc.get("DetalleServicio") or {}).get("LineaDetalle") or []
        for tax in line.get("Impuesto") or []
        if tax.get("Exoneracion")
    }


def _check_referenced_clave(
    kind: str, number: str, expected: str | None, npath: str, in_2026: bool, issues: list[Issue]
) -> None:
    try:
        referenced = Clave.parse(number, alphanumeric=in_2026, path=npath)
    except InputError:
        issues.append(
            A.REFERENCIA_CLAVE.issue(
                npath, f"must be the 50-character clave of the referenced electronic document (TipoDocIR {kind})"
            )
        )
        return
    if expected and referenced.consecutivo.doc_type != expected:
        issues.append(
            A.REFERENCIA_CLAVE.issue(
                npath,
                f"is the clave of a type {referenced.consecutivo.doc_type} document, TipoDocIR {kind} says type {expected}",
            )
        )


def check_receptor_message(root: str, doc: dict, issues: list[Issue]) -> None:
    path = root
    mensaje = str(doc.get("Mensaje", ""))
    detail = doc.get("DetalleMensaje")
    if mensaje in ("2", "3") and (not detail or len(detail) < 5):
        issues.append(
            A.MR_DETALLE.issue(
                child_path(path, "DetalleMensaje"),
                "is required (at least 5 characters) to explain a partial acceptance or a rejection",
            )
        )
    seller = doc.get("NumeroCedulaEmisor")
    if seller and not TAXPAYER_NUMBER.fullmatch(seller):
        issues.append(
            A.MR_CEDULA.issue(
                child_path(path, "NumeroCedulaEmisor"),
                f"{seller!r} is not a cédula física (9 digits), jurídica (10), DIMEX (11-12) or NITE (10)",
            )
        )
    number = doc.get("NumeroConsecutivoReceptor")
    if number:
        try:
            consecutivo = Consecutivo.parse(number, child_path(path, "NumeroConsecutivoReceptor"))
        except InputError as exc:
            issues.extend(A.CLAVE.issue(i.path, i.message) for i in exc.issues)
        else:
            expected = RECEPTOR_TYPE_BY_MENSAJE.get(mensaje)
            if expected and consecutivo.doc_type != expected:
                issues.append(
                    A.MR_CONSECUTIVO.issue(
                        child_path(path, "NumeroConsecutivoReceptor"),
                        f"carries type {consecutivo.doc_type}; Mensaje {mensaje} is type {expected}",
                    )
                )
    if doc.get("Clave"):
        try:
            Clave.parse(doc["Clave"], path=child_path(path, "Clave"))
        except InputError as exc:
            issues.extend(A.CLAVE.issue(i.path, i.message) for i in exc.issues)
