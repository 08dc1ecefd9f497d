"""Hacienda's code lists, as the XSD enumerations define them (value → description).

The lists are generated from the official XSDs into ``codes_data``; this module gives them
names callers can rely on (the Odoo addon loads its selection fields and data records from
here, so the codes never drift from the schemas).
"""

from __future__ import annotations

from hacienda_cr.codes_data import CODE_LISTS
from hacienda_cr.documents.line_amounts import IVA_CODES
from hacienda_cr.documents.totals import IVA_RATES
from hacienda_cr.documents.types import SCHEMA_SETS, check_schema_set

LATEST_SET = SCHEMA_SETS[-1]
IVA_TAX_CODES = IVA_CODES  # the CodigoImpuesto values that are IVA (with a CodigoTarifaIVA)
LISTS = {
    "identification_types": "Identificacion.Tipo",
    "sale_conditions": "FacturaElectronica.CondicionVenta",
    "payment_methods": "TipoMedioPago",
    "tax_codes": "CodigoImpuesto",
    "iva_rate_codes": "CodigoTarifaIVA",
    "discount_codes": "CodigoDescuento",
    "exemption_types": "TipoExoneracion",
    "exemption_institutions": "NombreInstitucion",
    "units": "UnidadMedida",
    "reference_document_types": "TipoDocReferencia",
    "reference_codes": "CodigoReferencia",
    "other_charge_types": "TipoDocOtrosCargos",
    "currencies": "CodigoMoneda",
    "transaction_types": "TipoTransaccion",
    "tax_conditions": "CondicionImpuesto",
    "commercial_code_types": "Codigo.Tipo",
    "receptor_messages": "MensajeReceptor.Mensaje",
}


def code_list(name: str, schema_set: str = LATEST_SET) -> dict[str, str]:
    """A list by its friendly name (``payment_methods``) or its XSD name (``TipoMedioPago``)."""
    lists = CODE_LISTS[check_schema_set(schema_set)]
    key = LISTS.get(name, name)
    if key not in lists:
        raise KeyError(f"no code list {name!r}; known: {', '.join(sorted(LISTS))}")
    return dict(lists[key])


def iva_rate(rate_code: str):
    """The percentage of an IVA rate code (CodigoTarifaIVA), as a Decimal."""
    return IVA_RATES[rate_code]
