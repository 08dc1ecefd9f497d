"""Hacienda's business rules that the XSD cannot express.

Each rule reports ``Issue``s with the path of the field, so a user (or the Odoo addon)
can point at exactly what to fix. The totals rules live in ``totals``; this module has
the others: identification numbers, codes that require a companion text, the clave and
consecutivo against the document, references of notes, currency and payments.
"""

from __future__ import annotations

import re
from datetime import datetime

from hacienda_cr.clave import Clave, Consecutivo
from hacienda_cr.costa_rica_time import to_costa_rica
from hacienda_cr.documents.totals import IVA_RATES
from hacienda_cr.documents.tree_data import child_path
from hacienda_cr.documents.types import RECEPTOR_TYPE_BY_MENSAJE, DocumentType
from hacienda_cr.errors import InputError, Issue
from hacienda_cr.identification import identification_problem

ACTIVITY_CODE = re.compile(r"\d{6}|\d{4}\.\d")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PROVIDER_ID = re.compile(r"\d{9,20}")
# Reference document types that are electronic documents, with the consecutivo type their
# clave must carry (TipoDocIR 19/20 exist from the 2026 revision).
ELECTRONIC_REFERENCE_TYPES = {"01": "01", "02": "02", "03": "03", "04": "04", "19": "09", "20": "10"}
CONTINGENCY_REFERENCE = "08"


def check_identification(id_type: str | None, number: str | None, path: str, issues: list[Issue]) -> None:
    if id_type is None or number is None:
        return
    problem = identification_problem(id_type, number)
    if problem:
        issues.append(Issue(child_path(path, "Numero"), problem, "identification"))


def _party(doc: dict, name: str, path: str, issues: list[Issue]) -> None:
    party = doc.get(name)
    if not party:
        return
    ppath = child_path(path, name)
    ident = party.get("Identificacion") or {}
    check_identification(ident.get("Tipo"), ident.get("Numero"), child_path(ppath, "Identificacion"), issues)
    emails = party.get("CorreoElectronico")
    for i, email in enumerate(emails if isinstance(emails, list) else [emails] if emails else []):
        if not EMAIL.fullmatch(email):
            index = i if isinstance(emails, list) else None
            issues.append(
                Issue(child_path(ppath, "CorreoElectronico", index), f"{email!r} is not an e-mail address", "party")
            )


def _requires(item: dict, code_key: str, code: str, other_key: str, path: str, issues: list[Issue]) -> None:
    if item.get(code_key) == code and not item.get(other_key):
        issues.append(Issue(child_path(path, other_key), f"is required when {code_key} is {code}", "codes"))


def check_document(doc_type: DocumentType, root: str, doc: dict, *, clave_alphanumeric: bool) -> list[Issue]:
    """Every business-rule problem of one document (the part under its root element)."""
    issues: list[Issue] = []
    if doc_type.family == "receptor":
        _check_receptor_message(doc_type, root, doc, issues)
        return issues
    path = root
    provider = doc.get("ProveedorSistemas")
    if provider is not None and not PROVIDER_ID.fullmatch(provider):
        issues.append(
            Issue(
                child_path(path, "ProveedorSistemas"),
                f"{provider!r} must be the identification number (9 to 20 digits) of the systems provider, not a name",
                "codes",
            )
        )
    for key in ("CodigoActividadEmisor", "CodigoActividadReceptor"):
        if doc.get(key) is not None and not ACTIVITY_CODE.fullmatch(doc[key]):
            issues.append(
                Issue(
                    child_path(path, key),
                    f"{doc[key]!r} is not an activity code (6 digits, or the CAECR form 0000.0)",
                    "codes",
                )
            )
    _party(doc, "Emisor", path, issues)
    _party(doc, "Receptor", path, issues)
    _check_numbering(doc_type, doc, path, issues, clave_alphanumeric)
    _requires(doc, "CondicionVenta", "99", "CondicionVentaOtros", path, issues)
    if doc.get("CondicionVenta") == "02" and not doc.get("PlazoCredito"):
        issues.append(
            Issue(
                child_path(path, "PlazoCredito"),
                "is required (days of credit) when CondicionVenta is 02 (crédito)",
                "codes",
            )
        )
    if doc_type.code == "09":
        receptor_type = ((doc.get("Receptor") or {}).get("Identificacion") or {}).get("Tipo")
        if receptor_type in ("01", "02", "03", "04"):
            issues.append(
                Issue(
                    child_path(path, "Receptor/Identificacion/Tipo"),
                    f"an export invoice goes to a foreign customer; type {receptor_type} is a Costa Rican identification",
                    "party",
                )
            )
    _check_lines(doc, path, issues)
    _check_other_charges(doc, path, issues)
    _check_summary(doc, path, issues)
    _check_references(doc_type, doc, path, issues)
    return issues


def _check_numbering(doc_type: DocumentType, doc: dict, path: str, issues: list[Issue], alphanumeric: bool) -> None:
    consecutivo = None
    if doc.get("NumeroConsecutivo"):
        try:
            consecutivo = Consecutivo.parse(doc["NumeroConsecutivo"], child_path(path, "NumeroConsecutivo"))
        except InputError as exc:
            issues.extend(exc.issues)
        else:
            if consecutivo.doc_type != doc_type.code:
                issues.append(
                    Issue(
                        child_path(path, "NumeroConsecutivo"),
                        f"carries document type {consecutivo.doc_type}; a {doc_type.name} is type {doc_type.code}",
                        "clave",
                    )
                )
    if not doc.get("Clave"):
        return
    cpath = child_path(path, "Clave")
    try:
        clave = Clave.parse(doc["Clave"], alphanumeric=alphanumeric, path=cpath)
    except InputError as exc:
        issues.extend(exc.issues)
        return
    if consecutivo is not None and str(clave.consecutivo) != str(consecutivo):
        issues.append(
            Issue(
                cpath,
                f"contains consecutivo {clave.consecutivo}, the document's NumeroConsecutivo is {consecutivo}",
                "clave",
            )
        )
    fecha = doc.get("FechaEmision")
    if isinstance(fecha, datetime) and to_costa_rica(fecha).date() != clave.issued:
        issues.append(
            Issue(
                cpath,
                f"contains the date {clave.issued:%d/%m/%Y}, FechaEmision is {to_costa_rica(fecha):%d/%m/%Y} (Costa Rica time)",
                "clave",
            )
        )
    emitter = ((doc.get("Emisor") or {}).get("Identificacion") or {}).get("Numero")
    if emitter and emitter.rjust(12, "0") != str(clave)[9:21]:
        issues.append(Issue(cpath, f"contains emitter id {str(clave)[9:21]}, the Emisor is {emitter}", "clave"))
    if clave.situation == "2":
        refs = doc.get("InformacionReferencia") or []
        if not any(r.get("TipoDocIR") == CONTINGENCY_REFERENCE for r in refs):
            issues.append(
                Issue(
                    child_path(path, "InformacionReferencia"),
                    "a document issued in contingencia (situación 2) must reference the contingency document (TipoDocIR 08)",
                    "clave",
                )
            )


def _check_lines(doc: dict, path: str, issues: list[Issue]) -> None:
    detail_path = child_path(path, "DetalleServicio")
    for i, line in enumerate((doc.get("DetalleServicio") or {}).get("LineaDetalle") or []):
        lpath = child_path(detail_path, "LineaDetalle", i)
        cabys = line.get("CodigoCABYS")
        if cabys is not None and not re.fullmatch(r"\d{13}", cabys):
            issues.append(
                Issue(child_path(lpath, "CodigoCABYS"), f"{cabys!r} is not a CABYS code (13 digits)", "cabys")
            )
        for j, discount in enumerate(line.get("Descuento") or []):
            _requires(
                discount, "CodigoDescuento", "99", "CodigoDescuentoOTRO", child_path(lpath, "Descuento", j), issues
            )
        for j, tax in enumerate(line.get("Impuesto") or []):
            tpath = child_path(lpath, "Impuesto", j)
            _requires(tax, "Codigo", "99", "CodigoImpuestoOTRO", tpath, issues)
            if tax.get("Codigo") in ("01", "07", "08") and not tax.get("CodigoTarifaIVA"):
                issues.append(Issue(child_path(tpath, "CodigoTarifaIVA"), "is required for IVA", "codes"))
            rate_code = tax.get("CodigoTarifaIVA")
            if tax.get("Codigo") == "01" and rate_code in IVA_RATES and tax.get("Tarifa") is not None:
                if tax["Tarifa"] != IVA_RATES[rate_code]:
                    issues.append(
                        Issue(
                            child_path(tpath, "Tarifa"),
                            f"{tax['Tarifa']} does not match CodigoTarifaIVA {rate_code} ({IVA_RATES[rate_code]}%)",
                            "codes",
                        )
                    )
            exemption = tax.get("Exoneracion")
            if exemption:
                epath = child_path(tpath, "Exoneracion")
                _requires(exemption, "TipoDocumentoEX1", "99", "TipoDocumentoOTRO", epath, issues)
                _requires(exemption, "NombreInstitucion", "99", "NombreInstitucionOtros", epath, issues)


def _check_other_charges(doc: dict, path: str, issues: list[Issue]) -> None:
    for i, charge in enumerate(doc.get("OtrosCargos") or []):
        cpath = child_path(path, "OtrosCargos", i)
        _requires(charge, "TipoDocumentoOC", "99", "TipoDocumentoOTROS", cpath, issues)
        if charge.get("TipoDocumentoOC") == "04":
            for key in ("IdentificacionTercero", "NombreTercero"):
                if not charge.get(key):
                    issues.append(
                        Issue(
                            child_path(cpath, key), "is required for a charge collected for a third party (04)", "codes"
                        )
                    )
        ident = charge.get("IdentificacionTercero") or {}
        check_identification(ident.get("Tipo"), ident.get("Numero"), child_path(cpath, "IdentificacionTercero"), issues)


def _check_summary(doc: dict, path: str, issues: list[Issue]) -> None:
    summary = doc.get("ResumenFactura") or {}
    spath = child_path(path, "ResumenFactura")
    currency = summary.get("CodigoTipoMoneda") or {}
    code, rate = currency.get("CodigoMoneda"), currency.get("TipoCambio")
    mpath = child_path(spath, "CodigoTipoMoneda")
    if code == "CRC" and rate is not None and rate != 1:
        issues.append(
            Issue(
                child_path(mpath, "TipoCambio"), f"is {rate}; amounts in colones (CRC) have exchange rate 1", "currency"
            )
        )
    if code not in (None, "CRC") and (rate is None or rate <= 0):
        issues.append(
            Issue(
                child_path(mpath, "TipoCambio"),
                f"an exchange rate to colones above 0 is required for {code}",
                "currency",
            )
        )
    for i, payment in enumerate(summary.get("MedioPago") or []):
        _requires(payment, "TipoMedioPago", "99", "MedioPagoOtros", child_path(spath, "MedioPago", i), issues)


def _check_references(doc_type: DocumentType, doc: dict, path: str, issues: list[Issue]) -> None:
    refs = doc.get("InformacionReferencia") or []
    if doc_type.code in ("02", "03") and not refs:
        issues.append(
            Issue(
                child_path(path, "InformacionReferencia"),
                f"a {doc_type.name} must reference the document it corrects",
                "references",
            )
        )
    fecha = doc.get("FechaEmision")
    for i, ref in enumerate(refs):
        rpath = child_path(path, "InformacionReferencia", i)
        _requires(ref, "TipoDocIR", "99", "TipoDocRefOTRO", rpath, issues)
        _requires(ref, "Codigo", "99", "CodigoReferenciaOTRO", rpath, issues)
        if doc_type.code in ("02", "03") and not ref.get("Codigo"):
            issues.append(
                Issue(
                    child_path(rpath, "Codigo"),
                    "is required in the reference of a note (what it does to the referenced document)",
                    "references",
                )
            )
        expected_type = ELECTRONIC_REFERENCE_TYPES.get(ref.get("TipoDocIR"))
        number = ref.get("Numero")
        if expected_type and number:
            try:
                referenced = Clave.parse(number, path=child_path(rpath, "Numero"))
            except InputError:
                issues.append(
                    Issue(
                        child_path(rpath, "Numero"),
                        f"must be the 50-character clave of the referenced electronic document (TipoDocIR {ref['TipoDocIR']})",
                        "references",
                    )
                )
            else:
                if referenced.consecutivo.doc_type != expected_type:
                    issues.append(
                        Issue(
                            child_path(rpath, "Numero"),
                            f"is the clave of a type {referenced.consecutivo.doc_type} document, TipoDocIR {ref['TipoDocIR']} says type {expected_type}",
                            "references",
                        )
                    )
        elif expected_type and not number:
            issues.append(
                Issue(child_path(rpath, "Numero"), "is required: the clave of the referenced document", "references")
            )
        when = ref.get("FechaEmisionIR")
        if isinstance(when, datetime) and isinstance(fecha, datetime) and when > fecha:
            issues.append(
                Issue(child_path(rpath, "FechaEmisionIR"), "is after the FechaEmision of this document", "references")
            )


def _check_receptor_message(doc_type: DocumentType, root: str, doc: dict, issues: list[Issue]) -> None:
    path = root
    mensaje = str(doc.get("Mensaje", ""))
    if mensaje in ("2", "3") and not doc.get("DetalleMensaje"):
        issues.append(
            Issue(
                child_path(path, "DetalleMensaje"),
                "is required to explain a partial acceptance or a rejection",
                "receptor",
            )
        )
    number = doc.get("NumeroConsecutivoReceptor")
    if number:
        try:
            consecutivo = Consecutivo.parse(number, child_path(path, "NumeroConsecutivoReceptor"))
        except InputError as exc:
            issues.extend(exc.issues)
        else:
            expected = RECEPTOR_TYPE_BY_MENSAJE.get(mensaje)
            if expected and consecutivo.doc_type != expected:
                issues.append(
                    Issue(
                        child_path(path, "NumeroConsecutivoReceptor"),
                        f"carries type {consecutivo.doc_type}; Mensaje {mensaje} is type {expected}",
                        "receptor",
                    )
                )
    if doc.get("Clave"):
        try:
            Clave.parse(doc["Clave"], path=child_path(path, "Clave"))
        except InputError as exc:
            issues.extend(exc.issues)
    if doc.get("CodigoActividad") is not None and not ACTIVITY_CODE.fullmatch(doc["CodigoActividad"]):
        issues.append(
            Issue(child_path(path, "CodigoActividad"), f"{doc['CodigoActividad']!r} is not an activity code", "codes")
        )
