"""A supplier's own invoicing system, for the tests of supplier documents: its own test
certificate (another CA, another taxpayer), its numbering, and its own account at the
simulator, where it submits its documents as the supplier would at Hacienda."""

import copy
import shutil
import tempfile
from functools import cache
from pathlib import Path
from unittest.mock import patch

from cryptography.hazmat.primitives.serialization import Encoding
from odoo.tools import config

from hacienda_cr.api import ClientConfig, HaciendaClient
from hacienda_cr.documents import DOCUMENT_TYPES, build_document
from hacienda_cr.signing import SigningKey, make_test_certificate, sign_xml

from .common import COMPANY_VAT, PIN, company_certificate

SUPPLIER_VAT = '3101987654'
SUPPLIER_NAME = 'Distribuidora El Roble S.A.'
SUPPLIER_USER = 'cpj-3-101-987654@stag.comprobanteselectronicos.go.cr'
SUPPLIER_PASSWORD = 'clave-del-proveedor'
SUPPLIER_PIN = '8642'


@cache
def supplier_key(vat=SUPPLIER_VAT, name=SUPPLIER_NAME):
    """The supplier's signing key, from a test certificate of its own (its own test CA)."""
    return SigningKey.from_pkcs12(make_test_certificate('02', vat, pin=SUPPLIER_PIN, name=name.upper()), SUPPLIER_PIN)


def trust_test_pki(cls):
    """The test CAs of ``hacienda-cr testcert`` (the supplier's and the company's) are trusted
    besides Costa Rica's national PKI, as the staging stack configures it: a PEM file named by
    l10n_cr_einvoice_simulator_trust_anchors, trusted for companies on the simulator."""
    test_cas = (*supplier_key(SUPPLIER_VAT, SUPPLIER_NAME).chain, *SigningKey.from_pkcs12(company_certificate(), PIN).chain)
    assert test_cas, "the test certificates carry their CA"
    directory = Path(tempfile.mkdtemp(prefix='l10n-cr-test-cas-'))
    cls.addClassCleanup(shutil.rmtree, directory)
    path = directory / 'test-cas.pem'
    path.write_bytes(b''.join(ca.public_bytes(Encoding.PEM) for ca in test_cas))
    cls.startClassPatcher(patch.dict(config.options, {'l10n_cr_einvoice_simulator_trust_anchors': str(path)}))


def line(cabys, detail, quantity, price, rate_code='08', discount=None, unit='Unid', taxes=None):
    """One LineaDetalle as the supplier's system writes it (amounts derived by the library)."""
    values = {
        'CodigoCABYS': cabys,
        'Cantidad': str(quantity),
        'UnidadMedida': unit,
        'Detalle': detail,
        'PrecioUnitario': str(price),
        'Impuesto': taxes if taxes is not None else [{'Codigo': '01', 'CodigoTarifaIVA': rate_code}],
    }
    if discount:
        values['Descuento'] = [{'MontoDescuento': str(discount), 'CodigoDescuento': '07'}]
    return values


class SupplierSystem:
    """Issues, signs and submits the supplier's documents."""

    def __init__(self, simulator_url, vat=SUPPLIER_VAT, name=SUPPLIER_NAME):
        self.vat = vat
        self.name = name
        self.key = supplier_key(vat, name)
        self.config = ClientConfig.for_environment(
            'simulator', SUPPLIER_USER, SUPPLIER_PASSWORD, api_url=simulator_url, idp_url=simulator_url)
        self.numbers = {}

    def data(self, lines, *, doc_type='01', receptor_vat=COMPANY_VAT, receptor_name='Empresa Demo S.A.',
             currency=None, other_charges=None, references=None, condition='02', term=30):
        """The document's input for ``build_document``: the supplier as Emisor, the company (or
        ``receptor_vat``) as Receptor."""
        self.numbers[doc_type] = self.numbers.get(doc_type, 0) + 1
        body = {
            'ProveedorSistemas': self.vat,
            'CodigoActividadEmisor': '4651.0',
            'Emisor': {
                'Nombre': self.name,
                'Identificacion': {'Tipo': '02', 'Numero': self.vat},
                'NombreComercial': 'El Roble',
                'Ubicacion': {'Provincia': 1, 'Canton': 3, 'Distrito': 2, 'Barrio': 'San Rafael',
                              'OtrasSenas': '200 metros norte de la iglesia, bodega verde'},
                'Telefono': {'CodigoPais': 506, 'NumTelefono': 22881234},
                'CorreoElectronico': ['ventas@elroble.cr', 'facturas@elroble.cr'],
            },
            'CondicionVenta': condition,
            'DetalleServicio': {'LineaDetalle': copy.deepcopy(lines)},
            'ResumenFactura': {'MedioPago': [{'TipoMedioPago': '04'}]},
        }
        if receptor_vat:
            body['Receptor'] = {'Nombre': receptor_name, 'Identificacion': {'Tipo': '02', 'Numero': receptor_vat},
                                'CorreoElectronico': 'facturacion@demo.cr'}
        if condition == '02':
            body['PlazoCredito'] = term
        if currency:
            body['ResumenFactura']['CodigoTipoMoneda'] = {'CodigoMoneda': currency[0], 'TipoCambio': str(currency[1])}
        if other_charges:
            body['OtrosCargos'] = other_charges
        if references:
            body['InformacionReferencia'] = references
        return {DOCUMENT_TYPES[doc_type].root: body,
                'Numeracion': {'Sucursal': 1, 'Terminal': 1, 'Numero': self.numbers[doc_type]}}

    def issue(self, lines, *, key=None, **kwargs):
        """(signed XML, built document) of a new document; ``key`` signs it instead of the supplier's."""
        built = build_document(self.data(lines, **kwargs))
        return sign_xml(built.xml, key or self.key), built

    def submit(self, xml):
        """Send the signed document to the simulator as the supplier, and wait for Hacienda's answer."""
        with HaciendaClient(self.config) as client:
            outcome = client.submit(xml)
            return client.wait_final(outcome.clave, timeout=10, first_interval=0.05)
