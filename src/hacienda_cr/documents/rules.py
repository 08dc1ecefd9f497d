"""Hacienda's rules that the XSD cannot express: the header, the parties, the sale
conditions, the payment means and the numbering.

Each problem is an ``Issue`` with the path of the field, so a user (or the Odoo addon) can
point at exactly what to fix, and the code of the annex rule it breaks (``annex``). The
parties are checked in ``party_rules``, lines, taxes and other charges in ``line_rules``,
references and the Mensaje Receptor in ``reference_rules``, amounts in ``totals`` and
``line_amounts``.
"""

from __future__ import annotations

import re
from datetime import datetime

from hacienda_cr.clave import Clave, Consecutivo
from hacienda_cr.costa_rica_time import to_costa_rica
from hacienda_cr.documents import line_rules, party_rules, reference_rules
from hacienda_cr.documents.annex import A
from hacienda_cr.documents.line_amounts import IVA_CODES
from hacienda_cr.documents.party_rules import EMAIL, check_identification  # noqa: F401 (the addon checks partners with them)
from hacienda_cr.documents.tree_data import child_path
from hacienda_cr.documents.types import DocumentType
from hacienda_cr.errors import InputError, Issue

# Economic activity codes: the 6 characters of the XSD, the former 6 digits or CAECR's 0000.0.
ACTIVITY_CODE = re.compile(r"\d{6}|\d{4}\.\d")
PROVIDER_ID = re.compile(r"\d{9,20}")
CONTINGENCY_REFERENCE = "08"
CREDIT_CONDITIONS = ("02", "08", "10")  # sales on credit: no payment means yet (p. 55)
PLAZO_CONDITIONS = ("02", "10")
PAYMENT_CONDITIONS = ("09", "11")  # payments of earlier sales: Recibo Electrónico de Pago only
FEC, FEE, REP = "08", "09", "10"
HEALTH_SERVICES = "931"  # CABYS: servicios de salud humana
CARD = "02"


def check_document(doc_type: DocumentType, root: str, doc: dict, *, schema_set: str) -> list[Issue]:
    """Every business-rule problem of one document (the part under its root element)."""
    issues: list[Issue] = []
    if doc_type.family == "receptor":
        reference_rules.check_receptor_message(root, doc, issues)
        activity = doc.get("CodigoActividad")
        if activity is not None and not ACTIVITY_CODE.fullmatch(activity):
            issues.append(
                A.ACTIVIDAD.issue(child_path(root, "CodigoActividad"), f"{activity!r} is not an economic activity code")
            )
        return issues
    path = root
    provider = doc.get("ProveedorSistemas")
    if provider is not None and not PROVIDER_ID.fullmatch(provider):
        issues.append(
            A.PROVEEDOR.issue(
                child_path(path, "ProveedorSistemas"),
                f"{provider!r} must be the identification number (9 to 20 digits) of the systems provider, not a name",
            )
        )
    for key in ("CodigoActividadEmisor", "CodigoActividadReceptor"):
        if doc.get(key) is not None and not ACTIVITY_CODE.fullmatch(doc[key]):
            issues.append(
                A.ACTIVIDAD.issue(
                    child_path(path, key),
                    f"{doc[key]!r} is not an economic activity code (6 digits, or CAECR's 0000.0)",
                )
            )
    party_rules.check_party(doc, "Emisor", path, issues)
    party_rules.check_party(doc, "Receptor", path, issues)
    party_rules.check_parties(doc_type, doc, path, issues)
    _check_numbering(doc_type, doc, path, issues, schema_set != "v4.4")
    _check_conditions(doc_type, doc, path, issues)
    line_rules.check_detail(doc_type, doc, path, issues)
    _check_summary(doc, path, issues)
    reference_rules.check_references(doc_type, doc, path, issues, schema_set)
    return issues


def _check_conditions(doc_type: DocumentType, doc: dict, path: str, issues: list[Issue]) -> None:
    condition = doc.get("CondicionVenta")
    cpath = child_path(path, "CondicionVenta")
    if condition in PAYMENT_CONDITIONS and doc_type.code != REP:
        issues.append(
            A.CONDICION_09_11.issue(
                cpath,
                f"{condition} is the condition of a payment receipt; a note keeps its invoice's condition (08, 10)",
            )
        )
    if condition == "13" and doc_type.code in ("01", "04", FEE):
        issues.append(
            A.CONDICION_13.issue(
                cpath, "13 (used goods from a non-taxpayer) is used only in the Factura Electrónica de Compra"
            )
        )
    A.CONDICION_OTROS.require(doc, "CondicionVenta", "99", "CondicionVentaOtros", path, issues)
    term = doc.get("PlazoCredito")
    if condition in PLAZO_CONDITIONS and not term:
        issues.append(
            A.PLAZO_CREDITO.issue(
                child_path(path, "PlazoCredito"),
                f"is required (days of credit, above zero) when CondicionVenta is {condition}",
            )
        )
    elif term is not None and term <= 0:
        issues.append(A.PLAZO_CREDITO.issue(child_path(path, "PlazoCredito"), f"{term} must be above zero (days)"))


def _check_numbering(doc_type: DocumentType, doc: dict, path: str, issues: list[Issue], alphanumeric: bool) -> None:
    consecutivo = None
    if doc.get("NumeroConsecutivo"):
        try:
            consecutivo = Consecutivo.parse(doc["NumeroConsecutivo"], child_path(path, "NumeroConsecutivo"))
        except InputError as exc:
            issues.extend(A.CLAVE.issue(i.path, i.message) for i in exc.issues)
        else:
            if consecutivo.doc_type != doc_type.code:
                issues.append(
                    A.CONSECUTIVO_TIPO.issue(
                        child_path(path, "NumeroConsecutivo"),
                        f"carries document type {consecutivo.doc_type}; a {doc_type.name} is type {doc_type.code}",
                    )
                )
    if not doc.get("Clave"):
        return
    cpath = child_path(path, "Clave")
    text = doc["Clave"]
    try:
        clave = Clave.parse(text, alphanumeric=alphanumeric, path=cpath)
    except InputError as exc:
        issues.extend(A.CLAVE.issue(i.path, i.message) for i in exc.issues)
        return
    # Both parsed, so each is its own text: compare positions 22-41 and 10-21 of the clave's
    # text rather than writing the parsed parts back out.
    if consecutivo is not None and text[21:41] != doc["NumeroConsecutivo"]:
        issues.append(
            A.CLAVE_CONSECUTIVO.issue(
                cpath, f"contains consecutivo {clave.consecutivo}, the document's NumeroConsecutivo is {consecutivo}"
            )
        )
    fecha = doc.get("FechaEmision")
    if isinstance(fecha, datetime) and to_costa_rica(fecha).date() != clave.issued:
        issues.append(
            A.CLAVE_FECHA.issue(
                cpath,
                f"contains the date {clave.issued:%d/%m/%Y}, FechaEmision is {to_costa_rica(fecha):%d/%m/%Y} (Costa Rica time)",
            )
        )
    issuer_key = "Receptor" if doc_type.code == FEC else "Emisor"
    issuer = ((doc.get(issuer_key) or {}).get("Identificacion") or {}).get("Numero")
    if issuer and issuer.rjust(12, "0") != text[9:21]:
        issues.append(
            A.CLAVE_EMISOR.issue(
                cpath, f"contains issuer id {text[9:21]}; the document is issued by its {issuer_key} {issuer}"
            )
        )
    if clave.situation == "2":
        refs = doc.get("InformacionReferencia") or []
        if not any(r.get("TipoDocIR") == CONTINGENCY_REFERENCE for r in refs):
            issues.append(
                A.CONTINGENCIA.issue(
                    child_path(path, "InformacionReferencia"),
                    "a document issued in contingencia (situación 2) must reference the contingency document (TipoDocIR 08)",
                )
            )


def _check_summary(doc: dict, path: str, issues: list[Issue]) -> None:
    summary = doc.get("ResumenFactura") or {}
    spath = child_path(path, "ResumenFactura")
    currency = summary.get("CodigoTipoMoneda") or {}
    code, rate = currency.get("CodigoMoneda"), currency.get("TipoCambio")
    mpath = child_path(spath, "CodigoTipoMoneda")
    if code == "CRC" and rate is not None and rate != 1:
        issues.append(
            A.TIPO_CAMBIO.issue(
                child_path(mpath, "TipoCambio"), f"is {rate}; amounts in colones (CRC) have exchange rate 1"
            )
        )
    if code not in (None, "CRC") and (rate is None or rate <= 0):
        issues.append(
            A.TIPO_CAMBIO.issue(
                child_path(mpath, "TipoCambio"), f"an exchange rate to colones above 0 is required for {code}"
            )
        )
    payments = summary.get("MedioPago") or []
    if not payments and doc.get("CondicionVenta") not in CREDIT_CONDITIONS:
        issues.append(
            A.MEDIO_PAGO.issue(
                child_path(spath, "MedioPago"),
                "is required: how the customer pays (only sales on credit, conditions 02, 08 and 10, go without)",
            )
        )
    for i, payment in enumerate(payments):
        ppath = child_path(spath, "MedioPago", i)
        if not payment.get("TipoMedioPago"):
            issues.append(A.MEDIO_PAGO.issue(child_path(ppath, "TipoMedioPago"), "is required in each MedioPago"))
        A.MEDIO_PAGO_OTROS.require(payment, "TipoMedioPago", "99", "MedioPagoOtros", ppath, issues)
    returned = summary.get("TotalIVADevuelto")
    if returned:
        if not any(p.get("TipoMedioPago") == CARD for p in payments):
            issues.append(
                A.IVA_DEVUELTO.issue(
                    child_path(spath, "TotalIVADevuelto"),
                    "VAT is returned only on health services paid by card (MedioPago 02)",
                )
            )
        health_vat = sum(
            (
                t.get("Monto") or 0
                for line in (doc.get("DetalleServicio") or {}).get("LineaDetalle") or []
                if (line.get("CodigoCABYS") or "").startswith(HEALTH_SERVICES)
                for t in line.get("Impuesto") or []
                if t.get("Codigo") in IVA_CODES
            ),
            0,
        )
        if returned > health_vat:
            issues.append(
                A.IVA_DEVUELTO.issue(
                    child_path(spath, "TotalIVADevuelto"),
                    f"{returned} exceeds the VAT of the health services (CABYS 931…) of the document, {health_vat}",
                )
            )
