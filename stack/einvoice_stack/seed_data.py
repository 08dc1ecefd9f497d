"""Staging demo data: 8 customers (every identification type), 20 products with CABYS
codes (goods and services), 10 invoices sent to Hacienda (the simulator) and accepted.

Every record carries a reference (partner `ref`, product `default_code`, invoice `ref`)
starting with STG-, by which a later run finds it instead of creating it again.
"""

from __future__ import annotations

import time

from einvoice_stack.odoo_rpc import OdooRPC
from einvoice_stack.seed_company import code_id
from einvoice_stack.seed_env import SeedError

# (ref, name, id type, number, country code, e-mail local part, extra)
CUSTOMERS = [
    ("STG-C01", "María Fernández Rojas", "01", "109870654", "CR", "maria.fernandez"),
    ("STG-C02", "José Pablo Mora Solano", "01", "203450678", "CR", "jose.mora"),
    ("STG-C03", "Comercial La Sabana S.A.", "02", "3101654321", "CR", "compras.lasabana"),
    ("STG-C04", "Tecnología Pura Vida S.R.L.", "02", "3102765432", "CR", "cuentas.puravida"),
    ("STG-C05", "Ana Lucía Pérez Gómez", "03", "155812345678", "CR", "ana.perez"),
    ("STG-C06", "Roberto Chaves Vargas", "04", "4000456789", "CR", "roberto.chaves"),
    ("STG-C07", "Global Imports LLC", "05", "US98765432", "US", "ap.globalimports"),
    ("STG-C08", "Asociación Vecinal Barrio Escalante", "06", "NC2024001", "CR", "tesoreria.escalante"),
]

# (default_code, name, kind, CABYS code, CABYS description, list price in CRC)
PRODUCTS = [
    ("STG-P01", "Computadora portátil 14\"", "goods", "4522099000000",
     "Máquinas portátiles de procesamiento automático de datos que no pesen más de 10 kg, n.c.p.", 485000),
    ("STG-P02", "Teclado USB", "goods", "4526100000100", "Teclados para computadoras", 14500),
    ("STG-P03", "Mouse inalámbrico", "goods", "4526100000200", "Mouse para computadoras", 9800),
    ("STG-P04", "Impresora láser", "goods", "4526400000000",
     "Impresoras láser, utilizadas con máquinas de procesamiento de datos", 156000),
    ("STG-P05", "Disco de estado sólido 1 TB", "goods", "4755000000100",
     "Dispositivos de almacenamiento permanente de estado sólido, sin grabar", 52000),
    ("STG-P06", "Kit de accesorios para computadora", "goods", "4529000000000",
     "Partes, piezas y accesorios de computadoras portátiles, de escritorio y dispositivos periféricos", 23000),
    ("STG-P07", "Papel bond (rollo)", "goods", "3212900020200",
     "Papel bond para escribir, en tiras o rollos, sin rayar", 3500),
    ("STG-P08", "Lápices (caja de 12)", "goods", "3891104009900", "Lápices, n.c.p.", 2100),
    ("STG-P09", "Café tostado descafeinado 500 g", "goods", "2391102020000", "Café tostado, descafeinado", 4900),
    ("STG-P10", "Agua embotellada 600 ml", "goods", "2441099000000",
     "Agua embotellada, sin edulcorantes o saborizantes, n.c.p.", 800),
    ("STG-S01", "Consultoría en tecnologías de información (hora)", "service", "8313100009900",
     "Otros servicios de consultoría en tecnologías de información", 35000),
    ("STG-S02", "Desarrollo de aplicaciones (hora)", "service", "8314100000100",
     "Servicios de diseño y desarrollo de tecnologías de información para aplicaciones", 30000),
    ("STG-S03", "Desarrollo de sitio web", "service", "8314100000200",
     "Servicios de diseño y desarrollo de tecnologías de información para páginas web", 450000),
    ("STG-S04", "Hospedaje web (mes)", "service", "8315100000000",
     "Servicios de hospedaje (hosting) de sitios web", 15000),
    ("STG-S05", "Servicios de contabilidad (mes)", "service", "8222100000000", "Servicios de contabilidad", 120000),
    ("STG-S06", "Auditoría financiera", "service", "8221000000000", "Servicios de auditoría financiera", 650000),
    ("STG-S07", "Campaña publicitaria", "service", "8361900000000", "Servicios de publicidad, n.c.p.", 280000),
    ("STG-S08", "Traducción (página)", "service", "8395001000000", "Servicios de traducción", 8000),
    ("STG-S09", "Mensajería local (envío)", "service", "6802100000000", "Servicios de mensajería, locales", 3500),
    ("STG-S10", "Transporte ejecutivo con conductor (día)", "service", "6411600000000",
     "Servicios de alquiler de automóviles, con conductor", 95000),
]

# (ref, customer ref, [(product code, quantity, discount %)])
INVOICES = [
    ("STG-INV-01", "STG-C01", [("STG-P01", 1, 0), ("STG-P03", 1, 0)]),
    ("STG-INV-02", "STG-C02", [("STG-P02", 2, 0), ("STG-P07", 5, 0)]),
    ("STG-INV-03", "STG-C03", [("STG-S01", 10, 0), ("STG-S02", 20, 5)]),
    ("STG-INV-04", "STG-C04", [("STG-S03", 1, 10), ("STG-S04", 12, 0)]),
    ("STG-INV-05", "STG-C05", [("STG-P09", 3, 0), ("STG-P10", 24, 0)]),
    ("STG-INV-06", "STG-C06", [("STG-S05", 1, 0)]),
    ("STG-INV-07", "STG-C07", [("STG-S08", 15, 0), ("STG-S09", 2, 0)]),
    ("STG-INV-08", "STG-C08", [("STG-P08", 10, 0), ("STG-P07", 10, 0)]),
    ("STG-INV-09", "STG-C03", [("STG-P04", 2, 0), ("STG-P05", 4, 8), ("STG-P06", 4, 0)]),
    ("STG-INV-10", "STG-C04", [("STG-S06", 1, 0), ("STG-S07", 1, 0), ("STG-S10", 2, 0)]),
]

ACCEPT_TIMEOUT = 300


def customer_email(local: str) -> str:
    # A reserved top-level domain (RFC 2606): never a real mailbox.
    return f"{local}@clientes-demo.test"


def ensure_customers(rpc: OdooRPC, lang: str) -> tuple[dict[str, int], int]:
    """The customers; the Costa Rican ones in ``lang`` (their PDFs and e-mails are in it)."""
    found = rpc.search_read("res.partner", [("ref", "in", [c[0] for c in CUSTOMERS])], ["ref", "lang"],
                            context={"active_test": False})
    existing = {p["ref"]: p["id"] for p in found}
    countries = {c["code"]: c["id"] for c in rpc.search_read("res.country", [("code", "in", ["CR", "US"])], ["code"])}
    created = 0
    costa_ricans = {c[0] for c in CUSTOMERS if c[4] == "CR"}
    relabel = [p["id"] for p in found if p["ref"] in costa_ricans and p["lang"] != lang]
    if relabel:
        rpc.call("res.partner", "write", relabel, {"lang": lang})
    for ref, name, id_type, number, country, local in CUSTOMERS:
        if ref in existing:
            continue
        existing[ref] = rpc.call("res.partner", "create", [{
            "ref": ref,
            "name": name,
            "is_company": id_type in ("02", "05", "06"),
            "vat": number,
            "country_id": countries[country],
            "email": customer_email(local),
            "l10n_cr_id_type_id": code_id(rpc, "identification_types", id_type),
            **({"lang": lang} if country == "CR" else {}),
        }])[0]
        created += 1
    return existing, created


def _sale_tax(rpc: OdooRPC, company_id: int) -> int:
    taxes = rpc.search_read("account.tax", [("type_tax_use", "=", "sale"), ("amount", "=", 13),
                                            ("amount_type", "=", "percent"), ("company_id", "=", company_id)],
                            ["id", "name"], order="sequence, id")
    if not taxes:
        raise SeedError("no 13% sales tax in the company (is the Costa Rica chart of accounts loaded?)")
    return taxes[0]["id"]


def ensure_products(rpc: OdooRPC, company_id: int) -> tuple[dict[str, int], int, int]:
    """(product code -> variant id, CABYS codes created, products created)."""
    codes = [p[3] for p in PRODUCTS]
    cabys = {c["code"]: c["id"] for c in rpc.search_read("l10n_cr.cabys", [("code", "in", codes)], ["code"],
                                                        context={"active_test": False})}
    created_cabys = 0
    for _, _, _, code, description, _ in PRODUCTS:
        if code not in cabys:
            cabys[code] = rpc.call("l10n_cr.cabys", "create", [{"code": code, "name": description,
                                                                "tax_rate": 13.0, "tax_label": "13%"}])[0]
            created_cabys += 1
    created = 0
    existing = {p["default_code"]: p["id"] for p in rpc.search_read(
        "product.product", [("default_code", "in", [p[0] for p in PRODUCTS])], ["default_code"],
        context={"active_test": False})}
    tax = _sale_tax(rpc, company_id)
    for default_code, name, kind, code, _, price in PRODUCTS:
        if default_code in existing:
            continue
        template = rpc.call("product.template", "create", [{
            "name": name,
            "default_code": default_code,
            "type": "service" if kind == "service" else "consu",
            "list_price": price,
            "taxes_id": [(6, 0, [tax])],
            "l10n_cr_cabys_id": cabys[code],
        }])[0]
        [variant] = rpc.search_read("product.product", [("product_tmpl_id", "=", template)], ["id"])
        existing[default_code] = variant["id"]
        created += 1
    _sell_goods_in_pos(rpc, [p[0] for p in PRODUCTS if p[2] == "goods"])
    return existing, created_cabys, created


def _sell_goods_in_pos(rpc: OdooRPC, codes: list[str]) -> None:
    """Goods appear in the point of sale (when the POS addon is installed)."""
    if "available_in_pos" not in rpc.fields("product.template"):
        return
    hidden = rpc.search_read("product.template", [("default_code", "in", codes), ("available_in_pos", "=", False)],
                             ["id"])
    if hidden:
        rpc.call("product.template", "write", [t["id"] for t in hidden], {"available_in_pos": True})


def ensure_invoices(rpc: OdooRPC, customers: dict[str, int], products: dict[str, int]) -> tuple[list[int], int]:
    existing = {m["ref"]: m for m in rpc.search_read(
        "account.move", [("ref", "in", [i[0] for i in INVOICES]), ("move_type", "=", "out_invoice")],
        ["ref", "state"])}
    created = 0
    ids = []
    for ref, customer, lines in INVOICES:
        move = existing.get(ref)
        if move is None:
            move_id = rpc.call("account.move", "create", [{
                "move_type": "out_invoice",
                "ref": ref,
                "partner_id": customers[customer],
                "invoice_line_ids": [(0, 0, {"product_id": products[code], "quantity": qty, "discount": discount})
                                     for code, qty, discount in lines],
            }])[0]
            move = {"id": move_id, "state": "draft"}
            created += 1
        if move["state"] == "draft":
            rpc.call("account.move", "action_post", [move["id"]])
        elif move["state"] == "cancel":
            raise SeedError(f"seed invoice {ref} is cancelled: delete it (or the database) to seed again")
        ids.append(move["id"])
    return ids, created


def wait_accepted(rpc: OdooRPC, move_ids: list[int], timeout: float = ACCEPT_TIMEOUT) -> None:
    """Until Hacienda (the simulator) has accepted every seed invoice; fails on a rejection."""
    deadline = time.monotonic() + timeout
    states: dict[str, str] = {}
    while time.monotonic() < deadline:
        rows = rpc.search_read("account.move", [("id", "in", move_ids)],
                               ["ref", "l10n_cr_state", "l10n_cr_error"])
        states = {r["ref"]: r["l10n_cr_state"] for r in rows}
        bad = {r["ref"]: r["l10n_cr_error"] for r in rows
               if r["l10n_cr_state"] in ("rejected", "error")}
        if bad:
            raise SeedError(f"Hacienda did not accept seed invoices: {bad}")
        if all(state == "accepted" for state in states.values()):
            return
        time.sleep(2)
    raise SeedError(f"seed invoices not accepted within {timeout:.0f} s: {states}")
