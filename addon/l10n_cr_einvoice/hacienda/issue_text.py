"""Hacienda field paths in words a user understands.

The library reports each problem with the path of the XML element
(``FacturaElectronica/DetalleServicio/LineaDetalle[2]/CodigoCABYS``); users know invoice
lines, customers and products, so each element of the path is named and lines are named
after what they sell.
"""

import re

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

ELEMENT_LABELS = {
    'Emisor': _lt("Issuer"),
    'Receptor': _lt("Customer"),
    'Identificacion': _lt("identification"),
    'Tipo': _lt("type"),
    'Numero': _lt("number"),
    'Nombre': _lt("name"),
    'NombreComercial': _lt("commercial name"),
    'Ubicacion': _lt("address"),
    'Provincia': _lt("province"),
    'Canton': _lt("canton"),
    'Distrito': _lt("district"),
    'Barrio': _lt("neighborhood"),
    'OtrasSenas': _lt("street / other directions"),
    'OtrasSenasExtranjero': _lt("foreign address"),
    'Telefono': _lt("phone"),
    'CorreoElectronico': _lt("e-mail"),
    'ProveedorSistemas': _lt("systems provider ID"),
    'CodigoActividadEmisor': _lt("issuer's economic activity"),
    'CodigoActividadReceptor': _lt("customer's economic activity"),
    'CondicionVenta': _lt("sale condition"),
    'CondicionVentaOtros': _lt("sale condition description"),
    'PlazoCredito': _lt("credit term (days)"),
    'DetalleServicio': _lt("lines"),
    'LineaDetalle': _lt("Line"),
    'CodigoCABYS': _lt("CABYS code"),
    'CodigoComercial': _lt("internal reference"),
    'Cantidad': _lt("quantity"),
    'UnidadMedida': _lt("unit of measure"),
    'Detalle': _lt("description"),
    'PrecioUnitario': _lt("unit price"),
    'MontoTotal': _lt("amount"),
    'Descuento': _lt("discount"),
    'NaturalezaDescuento': _lt("discount nature"),
    'CodigoDescuentoOTRO': _lt("discount description"),
    'ImpuestoAsumidoEmisorFabrica': _lt("tax borne by the issuer"),
    'ImpuestoNeto': _lt("net tax"),
    'OtrosCargos': _lt("other charge"),
    'Articulo': _lt("article"),
    'MontoDescuento': _lt("discount amount"),
    'CodigoDescuento': _lt("discount code"),
    'SubTotal': _lt("subtotal"),
    'BaseImponible': _lt("taxable base"),
    'Impuesto': _lt("tax"),
    'Codigo': _lt("code"),
    'CodigoTarifaIVA': _lt("VAT rate code"),
    'Tarifa': _lt("rate"),
    'Monto': _lt("tax amount"),
    'Exoneracion': _lt("exoneration"),
    'TarifaExonerada': _lt("exonerated rate"),
    'NumeroDocumento': _lt("document number"),
    'ResumenFactura': _lt("totals"),
    'CodigoTipoMoneda': _lt("currency"),
    'CodigoMoneda': _lt("currency code"),
    'TipoCambio': _lt("exchange rate"),
    'MedioPago': _lt("payment method"),
    'TipoMedioPago': _lt("payment method"),
    'TotalMedioPago': _lt("amount paid"),
    'TotalComprobante': _lt("document total"),
    'InformacionReferencia': _lt("reference to another document"),
    'TipoDocIR': _lt("document type"),
    'FechaEmisionIR': _lt("date"),
    'Razon': _lt("reason"),
    'NumeroConsecutivo': _lt("consecutive number"),
    'Numeracion': _lt("numbering"),
    'FechaEmision': _lt("issue date"),
    'Clave': _lt("clave"),
}
_SEGMENT = re.compile(r'(?P<name>[^\[\]]+)(?:\[(?P<index>\d+)\])?')


def describe_path(env, path, line_labels=()):
    """``FacturaElectronica/DetalleServicio/LineaDetalle[2]/CodigoCABYS`` → ``Line 2 (Laptop) › CABYS code``."""
    if not path:
        return ''
    parts = []
    segments = path.split('/')
    for position, segment in enumerate(segments):
        match = _SEGMENT.fullmatch(segment)
        if not match:
            parts.append(segment)
            continue
        name, index = match['name'], match['index']
        if position == 0 and name not in ELEMENT_LABELS:
            continue  # the document root
        if name == 'DetalleServicio' and position + 1 < len(segments):
            continue  # "Line n" says it already
        label = env._(ELEMENT_LABELS[name]) if name in ELEMENT_LABELS else name
        if name == 'LineaDetalle':
            number = int(index or 1)
            what = line_labels[number - 1] if 0 < number <= len(line_labels) else ''
            parts.append(f"{label} {number}" + (f" ({what})" if what else ''))
        elif index and index != '1':
            parts.append(f"{label} {index}")
        else:
            parts.append(label)
    return ' › '.join(p for p in parts if p)


def describe_issues(env, issues, line_labels=()):
    """Each issue as one sentence: where, then what."""
    lines = []
    for issue in issues:
        where = describe_path(env, issue.path, line_labels)
        lines.append(f"{where}: {issue.message}" if where else issue.message)
    return list(dict.fromkeys(lines))
