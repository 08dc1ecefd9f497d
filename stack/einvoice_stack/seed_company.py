"""The staging company configured for Hacienda (the simulator by default): identity,
API user, the test certificate through Odoo's `certificate` module, activity,
ProveedorSistemas, establishment/terminal of the sales journal.

Idempotent: every value is compared first and only differences are written.
"""

from __future__ import annotations

import base64
import hashlib

from einvoice_stack.odoo_rpc import OdooError, OdooRPC
from einvoice_stack.seed_env import SeedEnv, SeedError

EINVOICE_MODULE = "l10n_cr_einvoice"
# CAECR 6201.0: software design and development (the staging company's trade).
ACTIVITY_CODE = "6201.0"
ESTABLISHMENT, TERMINAL = 1, 1
# The point of sale numbers its tickets on its own terminal of the same establishment.
POS_TERMINAL = 2
POS_NAME = "Caja Staging"
CERTIFICATE_NAME = "Staging test certificate (hacienda-cr testcert)"


def code_id(rpc: OdooRPC, list_name: str, code: str) -> int:
    rows = rpc.search_read("l10n_cr.einvoice.code", [("list_name", "=", list_name), ("code", "=", code)], ["id"])
    if not rows:
        raise SeedError(f"code {code} of list {list_name} is missing from l10n_cr.einvoice.code")
    return rows[0]["id"]


def require_addon(rpc: OdooRPC) -> None:
    rows = rpc.search_read("ir.module.module", [("name", "=", EINVOICE_MODULE)], ["state"])
    if not rows or rows[0]["state"] != "installed":
        raise SeedError(f"the {EINVOICE_MODULE} module is not installed in {rpc.database}: nothing to configure")


def _write_changes(rpc: OdooRPC, model: str, record: dict, wanted: dict) -> list[str]:
    """Write the fields of `wanted` that differ from `record` (many2one compared by id)."""
    changes = {}
    for name, value in wanted.items():
        current = record.get(name)
        if isinstance(current, list) and current and isinstance(current[0], int) and len(current) == 2:
            current = current[0]  # many2one read as [id, name]
        if current is False and value in ("", None):
            continue
        if current != value:
            changes[name] = value
    if changes:
        rpc.call(model, "write", [record["id"]], changes)
    return sorted(changes)


def configure(rpc: OdooRPC, env: SeedEnv) -> dict[str, int]:
    """Configure the main company; returns counts of what changed."""
    require_addon(rpc)
    hacienda = env.settings["hacienda"]
    company_id = rpc.ref("base.main_company")
    country = rpc.search_read("res.country", [("code", "=", "CR")], ["id", "currency_id"])[0]
    [san_jose] = rpc.search_read("res.country.state", [("country_id", "=", country["id"]), ("code", "=", "1")], ["id"])
    activity = rpc.search_read("l10n_cr.economic.activity", [("code", "=", ACTIVITY_CODE)], ["id"])
    if not activity:
        raise SeedError(f"economic activity {ACTIVITY_CODE} is missing from l10n_cr.economic.activity")
    user, password = env.credentials()
    wanted = {
        "name": hacienda["emitter_name"],
        "vat": hacienda["emitter_id"],
        "country_id": country["id"],
        "state_id": san_jose["id"],
        "street": "Avenida Central, calle 1, edificio Staging",
        "city": "San José",
        "zip": "10101",
        # Reserved names (RFC 2606): staging mail only ever reaches the local sink anyway.
        "email": "facturacion@empresa-demo.test",
        "phone": "+506 2222 0000",
        "l10n_cr_canton_code": "01",
        "l10n_cr_district_code": "01",
        "l10n_cr_neighborhood": "Barrio Amón",
        "l10n_cr_enabled": True,
        "l10n_cr_environment": env.environment,
        "l10n_cr_username": user,
        "l10n_cr_password": password,
        "l10n_cr_id_type_id": code_id(rpc, "identification_types", hacienda["emitter_id_type"]),
        "l10n_cr_activity_id": activity[0]["id"],
        # The company runs its own system here: ProveedorSistemas is its own number.
        "l10n_cr_provider_id": hacienda["emitter_id"],
        "l10n_cr_commercial_name": "Staging Demo",
        "l10n_cr_auto_email": True,
        "l10n_cr_payment_method_id": code_id(rpc, "payment_methods", "04"),
        "l10n_cr_discount_code_id": code_id(rpc, "discount_codes", "07"),
    }
    if env.environment == "simulator":
        # Where the simulator listens comes from odoo.conf (l10n_cr_einvoice_simulator_url);
        # an explicit URL here would win over it and must not linger from another setup.
        wanted["l10n_cr_api_url"] = ""
        wanted["l10n_cr_idp_url"] = ""
    available = rpc.fields("res.company")
    missing = sorted(set(wanted) - set(available))
    if missing:
        raise SeedError(f"res.company has no field(s) {', '.join(missing)}: is {EINVOICE_MODULE} up to date?")
    # The first Print would otherwise open the document-layout wizard.
    wanted["external_report_layout_id"] = rpc.ref("web.external_layout_standard")
    [company] = rpc.call("res.company", "read", [company_id], [*wanted, "partner_id"])
    changed = _write_changes(rpc, "res.company", company, wanted)
    counts = {"company fields": len(changed)}
    counts["language"] = _language(rpc, env.settings["stack"]["lang"], company["partner_id"][0])
    counts["certificate"] = _certificate(rpc, env, company_id)
    counts["journal fields"] = _journal(rpc, company_id)
    counts["point of sale fields"] = _point_of_sale(rpc, company_id)
    return counts


def _language(rpc: OdooRPC, lang: str, company_partner_id: int) -> int:
    """The company (whose language the queue writes and sends to Hacienda in) and the seed's user
    speak the users' language ([stack].lang)."""
    changed = 0
    for model, record_id in (("res.partner", company_partner_id), ("res.users", rpc.uid)):
        [record] = rpc.call(model, "read", [record_id], ["lang"])
        changed += len(_write_changes(rpc, model, record, {"lang": lang}))
    return changed


def _certificate(rpc: OdooRPC, env: SeedEnv, company_id: int) -> int:
    content = env.certificate_file.read_bytes()
    encoded = base64.b64encode(content).decode()
    digest = hashlib.sha256(content).hexdigest()
    pin = env.pin()
    [company] = rpc.call("res.company", "read", [company_id], ["l10n_cr_certificate_id"])
    current = company["l10n_cr_certificate_id"]
    if current:
        [cert] = rpc.call("certificate.certificate", "read", [current[0]], ["content", "pkcs12_password", "is_valid"])
        same = cert["content"] and hashlib.sha256(base64.b64decode(cert["content"])).hexdigest() == digest
        if same and cert["pkcs12_password"] == pin and cert["is_valid"]:
            return 0
    try:
        cert_id = rpc.call("certificate.certificate", "create", [{
            "name": CERTIFICATE_NAME,
            "content": encoded,
            "pkcs12_password": pin,
            "scope": "l10n_cr_einvoice",
            "company_id": company_id,
        }])[0]
    except OdooError as exc:
        raise SeedError(f"Odoo refused the certificate {env.certificate_file}: {exc}") from None
    [cert] = rpc.call("certificate.certificate", "read", [cert_id], ["is_valid", "loading_error"])
    if cert["loading_error"] or not cert["is_valid"]:
        raise SeedError(f"the certificate {env.certificate_file} does not load in Odoo: "
                        f"{cert['loading_error'] or 'not valid now'}")
    rpc.call("res.company", "write", [company_id], {"l10n_cr_certificate_id": cert_id})
    if current:
        rpc.call("certificate.certificate", "write", [current[0]], {"active": False})
    return 1


def _journal(rpc: OdooRPC, company_id: int) -> int:
    journals = rpc.search_read("account.journal", [("type", "=", "sale"), ("company_id", "=", company_id)],
                               ["id", "l10n_cr_establishment", "l10n_cr_terminal"], order="sequence, id")
    if not journals:
        raise SeedError("the company has no sales journal (is the Costa Rica chart of accounts loaded?)")
    return len(_write_changes(rpc, "account.journal", journals[0],
                              {"l10n_cr_establishment": ESTABLISHMENT, "l10n_cr_terminal": TERMINAL}))


def _point_of_sale(rpc: OdooRPC, company_id: int) -> int:
    """Establishment/terminal of the company's first point of sale (when the POS addon is installed)."""
    if not _has_model(rpc, "pos.config") or "l10n_cr_terminal" not in rpc.fields("pos.config"):
        return 0
    wanted = {"l10n_cr_establishment": ESTABLISHMENT, "l10n_cr_terminal": POS_TERMINAL}
    configs = rpc.search_read("pos.config", [("company_id", "=", company_id)],
                              ["id", "l10n_cr_establishment", "l10n_cr_terminal"], order="id", limit=1)
    if not configs:
        # Odoo creates the cash journal and payment method of a new point of sale itself.
        rpc.call("pos.config", "create", [{"name": POS_NAME, "company_id": company_id, **wanted}])
        return 1
    return len(_write_changes(rpc, "pos.config", configs[0], wanted))


def _has_model(rpc: OdooRPC, model: str) -> bool:
    return bool(rpc.search_read("ir.model", [("model", "=", model)], ["id"]))
