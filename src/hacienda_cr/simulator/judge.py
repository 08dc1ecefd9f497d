"""Judging a submission like Hacienda: first the gate, then the document.

The gate (:func:`read_submission`) refuses a malformed request with 400 and an
``X-Error-Cause`` — bad JSON, missing fields, Base64 or XML that does not decode, an
envelope that disagrees with the XML — and a user acting for someone else's taxpayer with
403. Nothing is recorded for those.

What passes the gate is recorded and judged (:func:`judge`): the XSD of the schema set,
the XAdES signature under the v4.4 policy, the signer being the document's issuer, the
business rules and totals. Any problem makes it ``rechazado`` with the reasons in the
MensajeHacienda's DetalleMensaje, as Hacienda does.

Who "issues" a document: the envelope's emisor, who is the XML's Emisor except for a Factura
Electrónica de Compra (issued by the buyer, its Receptor, on the seller's behalf: annex p. 59)
and a Mensaje Receptor (sent by the receiver of the supplier's document).

Every rejection reason cites the annex rule it applies (``[p25.plazo-credito] …``), as
Hacienda's DetalleMensaje names what failed.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlsplit

from hacienda_cr.clave import Clave
from hacienda_cr.costa_rica_time import parse_datetime
from hacienda_cr.documents import ParsedDocument, parse_document
from hacienda_cr.documents.annex import cite
from hacienda_cr.errors import InputError
from hacienda_cr.signing import verify_xml
from hacienda_cr.simulator.config import User
from hacienda_cr.validation import check_business_rules, check_reception

ID_TYPES = ("01", "02", "03", "04", "05", "06")
FORCED_REJECTION = "Rechazo forzado por el simulador (inyección de fallos)."


class Refusal(Exception):
    """The request does not pass the gate: answer ``status`` with ``cause``; nothing recorded."""

    def __init__(self, status: int, cause: str):
        super().__init__(cause)
        self.status = status
        self.cause = cause


@dataclass
class Submission:
    resource: str
    clave: str
    consecutivo_receptor: str | None
    fecha: str
    emisor: tuple[str, str]
    receptor: tuple[str, str] | None
    issuer: tuple[str, str]  # the taxpayer who issues (and must sign) the document
    callback_url: str | None
    xml: bytes
    document: ParsedDocument

    @property
    def doc_type(self) -> str:
        return self.document.doc_type.code


def _party(value: object, field: str) -> tuple[str, str]:
    if not isinstance(value, dict):
        raise Refusal(400, f"El campo '{field}' debe ser un objeto con tipoIdentificacion y numeroIdentificacion.")
    tipo, numero = value.get("tipoIdentificacion"), value.get("numeroIdentificacion")
    if not isinstance(tipo, str) or tipo not in ID_TYPES:
        raise Refusal(400, f"El campo '{field}.tipoIdentificacion' ({tipo!r}) debe ser 01, 02, 03, 04, 05 o 06.")
    if not isinstance(numero, str) or not re.fullmatch(r"[0-9A-Za-z]{1,20}", numero):
        raise Refusal(400, f"El campo '{field}.numeroIdentificacion' ({numero!r}) no es una identificación válida.")
    return tipo, numero


def _text(body: dict, field: str, required: bool = True) -> str | None:
    value = body.get(field)
    if value is None or value == "":
        if required:
            raise Refusal(400, f"Falta el campo obligatorio '{field}'.")
        return None
    if not isinstance(value, str):
        raise Refusal(400, f"El campo '{field}' debe ser texto.")
    return value


def _xml_party(data: dict, key: str) -> tuple[str, str] | None:
    ident = (data.get(key) or {}).get("Identificacion") or {}
    if ident.get("Tipo") and ident.get("Numero"):
        return str(ident["Tipo"]), str(ident["Numero"])
    return None


def _same_instant(a: datetime, b: datetime) -> bool:
    return abs((a - b).total_seconds()) < 1


def _show(party: tuple[str, str] | None) -> str:
    return f"{party[0]}-{party[1]}" if party else "ninguno"


def read_submission(body: bytes, user: User, *, schema_set: str | None = None) -> Submission:
    """Check a POST /recepcion body against itself and its XML; raise Refusal at the gate."""
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Refusal(400, "El cuerpo de la solicitud no es JSON válido.") from None
    if not isinstance(payload, dict):
        raise Refusal(400, "El cuerpo de la solicitud debe ser un objeto JSON.")

    clave = _text(payload, "clave")
    if not re.fullmatch(r"[A-Za-z0-9]{50}", clave):
        raise Refusal(400, f"La clave '{clave[:60]}' no tiene el formato correcto (50 caracteres).")
    try:
        Clave.parse(clave)
    except InputError as exc:
        raise Refusal(400, f"La clave {clave} no es válida: {exc}") from None
    fecha_text = _text(payload, "fecha")
    try:
        fecha = parse_datetime(fecha_text)
    except ValueError:
        raise Refusal(400, f"La fecha '{fecha_text[:40]}' no tiene el formato RFC 3339.") from None
    if fecha.tzinfo is None:
        raise Refusal(400, f"La fecha '{fecha_text}' debe indicar la zona horaria (por ejemplo -06:00).")
    if "emisor" not in payload:
        raise Refusal(400, "Falta el campo obligatorio 'emisor'.")
    emisor = _party(payload["emisor"], "emisor")
    receptor = _party(payload["receptor"], "receptor") if payload.get("receptor") is not None else None
    consecutivo_receptor = _text(payload, "consecutivoReceptor", required=False)
    if consecutivo_receptor is not None and not re.fullmatch(r"\d{20}", consecutivo_receptor):
        raise Refusal(400, f"El consecutivoReceptor '{consecutivo_receptor[:30]}' debe tener 20 dígitos.")
    callback_url = _text(payload, "callbackUrl", required=False)
    if callback_url is not None:
        parts = urlsplit(callback_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise Refusal(400, f"El callbackUrl '{callback_url[:100]}' no es un URL http(s).")
    encoded = _text(payload, "comprobanteXml")
    try:
        xml = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise Refusal(400, "El comprobanteXml no está codificado en Base64 válido.") from None
    try:
        doc = parse_document(xml, schema_set)
    except InputError as exc:
        raise Refusal(400, f"El comprobanteXml no es un XML válido: {exc}") from None
    if doc.doc_type is None:
        raise Refusal(400, "El comprobanteXml es un MensajeHacienda; sólo se reciben comprobantes y mensajes receptor.")
    data = doc.data
    xml_clave = doc.tree.findtext("{*}Clave")
    if xml_clave != clave:
        raise Refusal(400, f"La clave del JSON ({clave}) no coincide con la clave del comprobante ({xml_clave}).")

    if doc.doc_type.family == "receptor":
        if consecutivo_receptor is None:
            raise Refusal(400, "Falta el campo 'consecutivoReceptor', obligatorio para un Mensaje Receptor.")
        xml_consecutivo = doc.tree.findtext("{*}NumeroConsecutivoReceptor")
        if xml_consecutivo != consecutivo_receptor:
            raise Refusal(
                400,
                f"El consecutivoReceptor del JSON ({consecutivo_receptor}) no coincide con "
                f"NumeroConsecutivoReceptor del XML ({xml_consecutivo}).",
            )
        if receptor is None:
            raise Refusal(400, "Falta el campo 'receptor', obligatorio para un Mensaje Receptor.")
        for field, party, xml_key in (("emisor", emisor, "NumeroCedulaEmisor"), ("receptor", receptor, "NumeroCedulaReceptor")):
            xml_number = doc.tree.findtext("{*}" + xml_key)
            if party[1] != xml_number:
                raise Refusal(400, f"El {field} del JSON ({party[1]}) no coincide con {xml_key} del XML ({xml_number}).")
        issuer = receptor
        resource = f"{clave}-{consecutivo_receptor}"
    else:
        if consecutivo_receptor is not None:
            raise Refusal(400, "El campo 'consecutivoReceptor' sólo se usa con un Mensaje Receptor.")
        # A Factura Electrónica de Compra's envelope names the buyer as emisor, the seller as receptor.
        issuer_key, other_key = doc.doc_type.parties
        xml_emisor, xml_receptor = _xml_party(data, issuer_key), _xml_party(data, other_key)
        if emisor != xml_emisor:
            raise Refusal(
                400, f"El emisor del JSON ({_show(emisor)}) no coincide con el {issuer_key} del XML ({_show(xml_emisor)})."
            )
        if receptor != xml_receptor:
            raise Refusal(
                400, f"El receptor del JSON ({_show(receptor)}) no coincide con el {other_key} del XML ({_show(xml_receptor)})."
            )
        xml_fecha = data.get("FechaEmision")
        if isinstance(xml_fecha, datetime) and not _same_instant(fecha, xml_fecha):
            raise Refusal(
                400, f"La fecha del JSON ({fecha_text}) no coincide con FechaEmision del XML ({doc.tree.findtext('{*}FechaEmision')})."
            )
        issuer = emisor
        resource = clave

    if not user.may_act_for(*issuer):
        raise Refusal(
            403, f"El usuario {user.username} no está autorizado para enviar comprobantes del contribuyente {_show(issuer)}."
        )
    return Submission(resource, clave, consecutivo_receptor, fecha_text, emisor, receptor, issuer, callback_url, xml, doc)


class Judge:
    """Decides aceptado / rechazado. XSD validation shares compiled schemas, whose error log
    is per schema object, so validations run one at a time."""

    def __init__(self, schema_store, trusted_certs: list | None = None):
        self.schema_store = schema_store
        self.trusted_certs = trusted_certs or None
        self._lock = threading.Lock()

    def reasons(self, sub: Submission, *, force_reject: bool = False, received: datetime | None = None) -> list[str]:
        """Everything wrong with the document (empty: aceptado), ``received`` now by default."""
        doc = sub.document
        issues = list(doc.issues)
        with self._lock:
            issues.extend(self.schema_store.validate(doc.tree, doc.schema, doc.schema_set))
        issues.extend(check_business_rules(doc))
        issues.extend(check_reception(doc, received or datetime.now(timezone.utc)))
        reasons = list(dict.fromkeys(cite(i) for i in issues))
        verdict = verify_xml(sub.xml, trusted_certs=self.trusted_certs)
        if not verdict.valid:
            reasons.extend(f"[firma] {e}" for e in verdict.errors)
        elif verdict.taxpayer_id is None:
            reasons.append("[firma] El certificado de firma no identifica a un contribuyente (serialNumber CPF-/CPJ-…).")
        elif tuple(verdict.taxpayer_id) != sub.issuer:
            reasons.append(
                f"[firma] El comprobante está firmado por {_show(tuple(verdict.taxpayer_id))}, "
                f"pero su emisor es {_show(sub.issuer)}: el emisor debe firmar con su propio certificado."
            )
        if force_reject:
            reasons.append(f"[simulador] {FORCED_REJECTION}")
        return reasons
