"""Hacienda's answer: a MensajeHacienda (1 aceptado / 3 rechazado), signed by the simulator."""

from __future__ import annotations

from decimal import Decimal

from hacienda_cr.documents.build import XML_DECLARATION
from hacienda_cr.documents.tree_data import normalize, to_xml
from hacienda_cr.documents.types import mensaje_hacienda_schema
from hacienda_cr.errors import Issue
from hacienda_cr.signing import SigningKey, sign_xml
from hacienda_cr.simulator.judge import Submission

SANDBOX_NOTICE = (
    "Este comprobante fue procesado en el ambiente de pruebas (simulador), por lo cual no tiene validez "
    "para fines tributarios."
)


def detalle(reasons: list[str], *, sandbox_notice: bool) -> str:
    lines = [SANDBOX_NOTICE, ""] if sandbox_notice else []
    if reasons:
        lines.append("Este comprobante fue rechazado por los siguientes motivos:")
        lines.extend(f"- {r}" for r in reasons)
    else:
        lines.append("Este comprobante fue aceptado.")
    return "\n".join(lines)


def _amount(value: object) -> Decimal | None:
    return value if isinstance(value, Decimal) and value.is_finite() and abs(value) < Decimal(10) ** 13 else None


def answer_data(sub: Submission, reasons: list[str], *, sandbox_notice: bool, names: dict[str, str]) -> dict:
    """The MensajeHacienda's content for a judged submission."""
    data = sub.document.data
    if sub.document.doc_type.family == "receptor":
        emisor_name = names.get(sub.emisor[1]) or sub.emisor[1]
        receptor_name = names.get(sub.receptor[1]) if sub.receptor else None
        tax, total = _amount(data.get("MontoTotalImpuesto")), _amount(data.get("TotalFactura"))
    else:
        issuer_key, other_key = sub.document.doc_type.parties  # a FEC's issuer is its Receptor
        emisor_name = str((data.get(issuer_key) or {}).get("Nombre") or names.get(sub.emisor[1]) or sub.emisor[1])
        receptor_name = (data.get(other_key) or {}).get("Nombre") if sub.receptor else None
        summary = data.get("ResumenFactura") or {}
        tax, total = _amount(summary.get("TotalImpuesto")), _amount(summary.get("TotalComprobante"))
    out = {
        "Clave": sub.clave,
        "NombreEmisor": emisor_name[:100],
        "TipoIdentificacionEmisor": sub.emisor[0],
        "NumeroCedulaEmisor": sub.emisor[1],
    }
    if sub.receptor:
        if receptor_name:
            out["NombreReceptor"] = str(receptor_name)[:100]
        out["TipoIdentificacionReceptor"] = sub.receptor[0]
        out["NumeroCedulaReceptor"] = sub.receptor[1]
    out["Mensaje"] = 3 if reasons else 1
    out["EstadoMensaje"] = "Rechazado" if reasons else "Aceptado"
    out["DetalleMensaje"] = detalle(reasons, sandbox_notice=sandbox_notice)
    if tax is not None:
        out["MontoTotalImpuesto"] = tax
    out["TotalFactura"] = total if total is not None else Decimal(0)
    return out


def build_answer(sub: Submission, reasons: list[str], key: SigningKey, *, sandbox_notice: bool = True, names=None) -> bytes:
    """The signed MensajeHacienda XML bytes."""
    # The 2024 set only allows digits in the clave; a clave with letters needs the 2026 schema.
    schema_set = sub.document.schema_set if sub.clave.isdigit() else "v4.4-2026"
    schema = mensaje_hacienda_schema(schema_set)
    issues: list[Issue] = []
    data = normalize(answer_data(sub, reasons, sandbox_notice=sandbox_notice, names=names or {}), schema.root, "MensajeHacienda", issues)
    body = to_xml(data, schema.root, schema.namespace, "MensajeHacienda", issues)
    if issues:  # a bug here, not a problem with the submitted document
        raise RuntimeError("cannot build the MensajeHacienda: " + "; ".join(map(str, issues)))
    return sign_xml(XML_DECLARATION + body, key)
