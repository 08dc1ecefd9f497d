"""The rules of the parties: identifications, which types may issue or receive which
documents, addresses, telephones and e-mail addresses."""

from __future__ import annotations

import re

from hacienda_cr.documents.annex import A
from hacienda_cr.documents.tree_data import child_path
from hacienda_cr.documents.types import DocumentType
from hacienda_cr.errors import Issue
from hacienda_cr.identification import identification_problem

# The annex's pattern for e-mail addresses (p. 22), as written there.
EMAIL = re.compile(
    r'\s*(([^<>()\[\]\.,;:\s@"]+(\.[^<>()\[\]\.,;:\s@"]+)*)|(".+"))@(([^<>()\[\]\.,;:\s@"]+\.)+[^<>()\[\]\.,;:\s@"]{0,})\s*'
)
NOTES = ("02", "03")
FEC, FEE, REP = "08", "09", "10"
FOREIGN, NON_TAXPAYER = "05", "06"


def check_identification(id_type: str | None, number: str | None, path: str, issues: list[Issue]) -> None:
    if id_type is None or number is None:
        return
    problem = identification_problem(id_type, number)
    if problem:
        issues.append(A.IDENTIFICACION.issue(child_path(path, "Numero"), problem))


def _id_type(party: dict | None) -> str | None:
    return ((party or {}).get("Identificacion") or {}).get("Tipo")


def check_party(doc: dict, name: str, path: str, issues: list[Issue]) -> None:
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
                A.CORREO.issue(child_path(ppath, "CorreoElectronico", index), f"{email!r} is not an e-mail address")
            )
    phone = (party.get("Telefono") or {}).get("NumTelefono")
    if phone is not None and not 8 <= len(str(abs(phone))) <= 20:
        issues.append(A.TELEFONO.issue(child_path(ppath, "Telefono/NumTelefono"), f"{phone} must have 8 to 20 digits"))


def check_parties(doc_type: DocumentType, doc: dict, path: str, issues: list[Issue]) -> None:
    code = doc_type.code
    emisor, receptor = doc.get("Emisor") or {}, doc.get("Receptor")
    emisor_type, receptor_type = _id_type(emisor), _id_type(receptor)
    epath, rpath = child_path(path, "Emisor"), child_path(path, "Receptor")
    if emisor_type == FOREIGN:
        if code != FEC:
            issues.append(
                A.EMISOR_05.issue(
                    child_path(epath, "Identificacion/Tipo"),
                    "type 05 (extranjero no domiciliado) issues only a Factura Electrónica de Compra",
                )
            )
        elif not any(r.get("TipoDocIR") == "16" for r in doc.get("InformacionReferencia") or []):
            issues.append(
                A.EMISOR_05.issue(
                    child_path(path, "InformacionReferencia"),
                    "a purchase from a seller not domiciled in Costa Rica (type 05) references TipoDocIR 16",
                )
            )
    if emisor_type == NON_TAXPAYER and (code != FEC or doc.get("CondicionVenta") != "13"):
        issues.append(
            A.EMISOR_06.issue(
                child_path(epath, "Identificacion/Tipo"),
                "type 06 (no contribuyente) is only the seller of used goods in a Factura Electrónica de Compra "
                "with CondicionVenta 13",
            )
        )
    if emisor and not emisor.get("Ubicacion") and code in (FEC, *NOTES) and emisor_type not in (FOREIGN, NON_TAXPAYER):
        issues.append(A.EMISOR_UBICACION.issue(child_path(epath, "Ubicacion"), "is required (the issuer's address)"))
    if emisor.get("OtrasSenasExtranjero") and emisor_type != FOREIGN:
        issues.append(
            A.OTRAS_SENAS_EXTRANJERO.issue(
                child_path(epath, "OtrasSenasExtranjero"), "is only for a seller of type 05 (extranjero no domiciliado)"
            )
        )
    if code == FEE and not (receptor or {}).get("Identificacion"):
        issues.append(
            A.RECEPTOR_FEE.issue(
                child_path(rpath, "Identificacion"), "is required in a Factura Electrónica de Exportación"
            )
        )
    if not receptor:
        return
    if receptor_type == FOREIGN:
        if code in (FEC, REP):
            issues.append(
                A.RECEPTOR_05.issue(
                    child_path(rpath, "Identificacion/Tipo"),
                    f"type 05 (extranjero no domiciliado) is not allowed in a {doc_type.name}",
                )
            )
        elif code == "01" and (doc.get("CondicionVenta") != "12" or not doc.get("InformacionReferencia")):
            issues.append(
                A.RECEPTOR_05.issue(
                    child_path(rpath, "Identificacion/Tipo"),
                    "a Factura goes to a type 05 customer only for goods not nationalised (CondicionVenta 12), with a "
                    "reference to the supporting document; use a Factura Electrónica de Exportación or a Tiquete",
                )
            )
        if receptor.get("Ubicacion"):
            issues.append(
                A.RECEPTOR_UBICACION_05.issue(
                    child_path(rpath, "Ubicacion"),
                    "a customer not domiciled in Costa Rica (type 05) has no Costa Rican address: use OtrasSenasExtranjero",
                )
            )
    elif code == "01" and receptor.get("OtrasSenasExtranjero"):
        issues.append(
            A.OTRAS_SENAS_EXTRANJERO.issue(
                child_path(rpath, "OtrasSenasExtranjero"),
                "is only for a customer of type 05 (extranjero no domiciliado)",
            )
        )
    senas = (receptor.get("Ubicacion") or {}).get("OtrasSenas")
    if senas and len(senas) > 160:
        issues.append(
            A.RECEPTOR_OTRAS_SENAS.issue(
                child_path(rpath, "Ubicacion/OtrasSenas"),
                f"has {len(senas)} characters; the customer's has at most 160",
            )
        )
