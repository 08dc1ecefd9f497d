"""The JSON body of ``POST /recepcion``, read off a signed document.

Everything in the envelope must agree with the XML (Hacienda rejects a mismatch at the
gate), so it is derived from the document rather than passed alongside it.

A Mensaje Receptor differs: its ``clave`` is the supplier's document, ``emisor`` is that
supplier and ``receptor`` is us (the one sending the message), and it carries our own
``consecutivoReceptor``; the status resource is ``{clave}-{consecutivoReceptor}``. Its XML
has no identification types, so they are inferred from the number's shape unless given.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

from hacienda_cr.costa_rica_time import format_datetime
from hacienda_cr.costa_rica_time import now as cr_now
from hacienda_cr.documents import parse_document
from hacienda_cr.errors import InputError, Issue

DS_SIGNATURE = "{http://www.w3.org/2000/09/xmldsig#}Signature"


@dataclass(frozen=True)
class Envelope:
    clave: str
    fecha: str  # RFC 3339 with offset
    emisor: tuple[str, str]  # (tipoIdentificacion, numeroIdentificacion)
    receptor: tuple[str, str] | None
    comprobante_xml: bytes  # the signed XML, as signed
    doc_type: str  # two-digit document type (05/06/07 for a Mensaje Receptor)
    consecutivo_receptor: str | None = None
    callback_url: str | None = None

    @property
    def resource(self) -> str:
        """The status resource: the clave, or ``clave-consecutivoReceptor`` for a Mensaje Receptor."""
        return status_resource(self.clave, self.consecutivo_receptor)

    def as_json(self) -> dict:
        body: dict = {
            "clave": self.clave,
            "fecha": self.fecha,
            "emisor": {"tipoIdentificacion": self.emisor[0], "numeroIdentificacion": self.emisor[1]},
        }
        if self.receptor:
            body["receptor"] = {"tipoIdentificacion": self.receptor[0], "numeroIdentificacion": self.receptor[1]}
        if self.consecutivo_receptor:
            body["consecutivoReceptor"] = self.consecutivo_receptor
        if self.callback_url:
            body["callbackUrl"] = self.callback_url
        body["comprobanteXml"] = base64.b64encode(self.comprobante_xml).decode("ascii")
        return body


def status_resource(clave: str, consecutivo_receptor: str | None = None) -> str:
    return f"{clave}-{consecutivo_receptor}" if consecutivo_receptor else clave


def guess_id_type(number: str) -> str | None:
    """The identification type a bare number most likely has (None when it cannot tell).

    9 digits: cédula física; 10: cédula jurídica; 11-12: DIMEX. A NITE also has 10 digits
    and cannot be told from a cédula jurídica: give the type explicitly for those."""
    if re.fullmatch(r"[1-9]\d{8}", number):
        return "01"
    if re.fullmatch(r"\d{10}", number):
        return "02"
    if re.fullmatch(r"\d{11,12}", number):
        return "03"
    return None


def _party(data: dict, key: str) -> tuple[str, str] | None:
    ident = (data.get(key) or {}).get("Identificacion") or {}
    if ident.get("Numero") and ident.get("Tipo"):
        return str(ident["Tipo"]), str(ident["Numero"])
    return None


def _typed(number: str, given: str | None, what: str) -> tuple[str, str]:
    id_type = given or guess_id_type(number)
    if id_type is None:
        raise InputError(
            Issue(what, f"cannot tell the identification type of {number!r}; pass it explicitly (01-06)")
        )
    return id_type, number


def envelope_for(
    signed_xml: bytes,
    *,
    callback_url: str | None = None,
    emisor_tipo: str | None = None,
    receptor_tipo: str | None = None,
) -> Envelope:
    """The POST body for ``signed_xml``; raises InputError when the XML cannot be sent.

    ``emisor_tipo``/``receptor_tipo`` are only used for a Mensaje Receptor, whose XML
    carries bare numbers."""
    if not isinstance(signed_xml, (bytes, bytearray)):
        raise InputError(Issue("", "the signed XML must be given as bytes, exactly as signed"))
    signed_xml = bytes(signed_xml)
    doc = parse_document(signed_xml)
    if doc.doc_type is None:
        raise InputError(Issue(doc.root, "a MensajeHacienda is Hacienda's answer; it cannot be submitted"))
    if doc.tree.find(DS_SIGNATURE) is None:
        raise InputError(Issue(doc.root, "the document is not signed: sign it before submitting"))
    data = doc.data
    clave = data.get("Clave")
    if not isinstance(clave, str) or not clave:
        raise InputError(Issue(f"{doc.root}/Clave", "is missing: the document cannot be submitted without its clave"))

    if doc.doc_type.family == "receptor":
        issues = []
        for key in ("NumeroCedulaEmisor", "NumeroCedulaReceptor", "NumeroConsecutivoReceptor"):
            if not data.get(key):
                issues.append(Issue(f"{doc.root}/{key}", "is required to submit a Mensaje Receptor"))
        if issues:
            raise InputError(issues)
        return Envelope(
            clave=clave,
            fecha=format_datetime(cr_now()),
            emisor=_typed(str(data["NumeroCedulaEmisor"]), emisor_tipo, f"{doc.root}/NumeroCedulaEmisor"),
            receptor=_typed(str(data["NumeroCedulaReceptor"]), receptor_tipo, f"{doc.root}/NumeroCedulaReceptor"),
            comprobante_xml=signed_xml,
            doc_type=doc.doc_type.code,
            consecutivo_receptor=str(data["NumeroConsecutivoReceptor"]),
            callback_url=callback_url,
        )

    # A Factura Electrónica de Compra's emisor here is the buyer (the company), as in its clave.
    issuer_key, other_key = doc.doc_type.parties
    emisor = _party(data, issuer_key)
    if emisor is None:
        raise InputError(Issue(f"{doc.root}/{issuer_key}/Identificacion", "is missing: Hacienda needs the issuer's id"))
    fecha = data.get("FechaEmision")
    if fecha is None or isinstance(fecha, str):
        text = doc.tree.findtext("{*}FechaEmision")
        raise InputError(Issue(f"{doc.root}/FechaEmision", f"{text!r} is not a date-time with offset"))
    return Envelope(
        clave=clave,
        fecha=format_datetime(fecha),
        emisor=emisor,
        receptor=_party(data, other_key),
        comprobante_xml=signed_xml,
        doc_type=doc.doc_type.code,
        callback_url=callback_url,
    )

