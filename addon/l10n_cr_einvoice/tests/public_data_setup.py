"""What the tests of Hacienda's public data services share: a data set seeded into the test
class's simulator, the shared client's memory cleared between tests, and the lookups'
own short timeouts kept (Odoo's harness raises any timeout below 10 s to 10 s)."""

import socket
from unittest.mock import patch
from urllib.parse import urlsplit

from odoo.tests.common import _super_send

from hacienda_cr.public_data import LookupSettings

from ..hacienda import public_data
from .common import L10nCrEinvoiceCommon

DAY = '2026-03-10'  # the simulator's "today" in these tests; the tests freeze Odoo's clock on it
NOON = '2026-03-10 18:00:00'  # 12:00 in Costa Rica (UTC-6)
CUSTOMER_VAT = '3102654321'  # the common setup's partner_cr
NEW_COMPANY_VAT = '3101777888'
MOROSO_VAT = '109870654'
EXO_VALID = 'AL-00012345-26'
EXO_EXPIRED = 'AL-00000777-24'
EXO_FOUR = 'AL-00044444-26'
CABYS_SERVICE = '8314100000000'  # the common setup's software service

DATA = {
    'replace': True,
    'today': DAY,
    'taxpayers': [
        {'identificacion': CUSTOMER_VAT, 'nombre': 'COMERCIAL LA SABANA LIMITADA', 'tipoIdentificacion': '02',
         'actividades': [{'estado': 'A', 'tipo': 'P', 'codigo': '4711.1', 'descripcion': 'SUPERMERCADOS'}]},
        {'identificacion': NEW_COMPANY_VAT, 'nombre': 'DISTRIBUIDORA LOS ALMENDROS SOCIEDAD ANONIMA',
         'tipoIdentificacion': '02',
         'actividades': [
             {'estado': 'I', 'tipo': 'S', 'codigo': '4690.0', 'descripcion': 'VENTA AL POR MAYOR'},
             {'estado': 'A', 'tipo': 'S', 'codigo': '6201.0', 'descripcion': 'PROGRAMACION INFORMATICA'},
             {'estado': 'A', 'tipo': 'P', 'codigo': '4711.1', 'descripcion': 'SUPERMERCADOS'},
             {'estado': 'A', 'tipo': 'S', 'codigo': '9999.9', 'descripcion': 'ACTIVIDAD NUEVA DE PRUEBA'},
         ]},
        {'identificacion': MOROSO_VAT, 'nombre': 'JUAN PEREZ MORA', 'tipoIdentificacion': '01',
         'situacion': {'moroso': 'SI', 'omiso': 'SI', 'estado': 'Inscrito', 'administracionTributaria': 'Limón'},
         'actividades': []},
    ],
    'rates': [
        {'fecha': '2026-03-06', 'dolar': {'compra': 498.12, 'venta': 505.31}},
        {'fecha': '2026-03-09', 'dolar': {'compra': 499.8, 'venta': 506.4}, 'euro': {'colones': 548.25, 'dolares': 1.0827}},
        {'fecha': DAY, 'dolar': {'compra': 500.02, 'venta': 507.18}, 'euro': {'colones': 549.9, 'dolares': 1.0842}},
    ],
    'exoneraciones': [
        {'numeroDocumento': EXO_VALID, 'identificacion': CUSTOMER_VAT, 'fechaEmision': '2026-01-15T00:00:00',
         'fechaVencimiento': '2026-12-31T00:00:00', 'porcentajeExoneracion': 13,
         'tipoDocumento': {'codigo': '04', 'descripcion': 'Exenciones Dirección General de Hacienda'},
         'nombreInstitucion': 'Dirección General de Hacienda', 'cabys': [CABYS_SERVICE]},
        {'numeroDocumento': EXO_EXPIRED, 'identificacion': CUSTOMER_VAT, 'fechaEmision': '2024-02-01T00:00:00',
         'fechaVencimiento': '2025-01-31T00:00:00', 'porcentajeExoneracion': 13,
         'tipoDocumento': {'codigo': '04', 'descripcion': 'Exenciones Dirección General de Hacienda'},
         'nombreInstitucion': 'Dirección General de Hacienda', 'cabys': [CABYS_SERVICE]},
        {'numeroDocumento': EXO_FOUR, 'identificacion': CUSTOMER_VAT, 'fechaEmision': '2026-02-01T00:00:00',
         'fechaVencimiento': '2027-01-31T00:00:00', 'porcentajeExoneracion': 4,
         'tipoDocumento': {'codigo': '04', 'descripcion': 'Exenciones Dirección General de Hacienda'},
         'nombreInstitucion': 'Dirección General de Hacienda'},
    ],
    'cabys': [
        {'codigo': '8314100000100', 'descripcion': 'Servicios de diseño y desarrollo de aplicaciones informáticas',
         'impuesto': 13, 'categorias': ['Servicios de tecnologías de la información']},
        {'codigo': '8314100000200', 'descripcion': 'Servicios de diseño y desarrollo de páginas web', 'impuesto': 13},
    ],
}


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class PublicDataCommon(L10nCrEinvoiceCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.simulator.request('PUT', '/_simulator/public-data', DATA)
        # Short enough for a "slow" test to take a second, not the production five.
        cls.startClassPatcher(patch.object(public_data, 'INTERACTIVE', LookupSettings(
            connect_timeout=1.0, read_timeout=1.0, outage_memory=30.0)))

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        url = urlsplit(r.url)
        if url.hostname in ('127.0.0.1', 'localhost') and url.path.startswith(('/fe/', '/indicadores/')):
            return _super_send(s, r, **kw)
        return super()._request_handler(s, r, **kw)

    def setUp(self):
        super().setUp()
        self.simulator.request('PUT', '/_simulator/faults', {'faults': {}, 'replace': True, 'clear_next': True})
        self.lookups().forget()

    def lookups(self):
        return self.company._l10n_cr_public_data()

    def public_requests(self, endpoint):
        return sum(n for key, n in self.simulator.stats()['requests'].items() if key.split()[1] == endpoint)

    def fault(self, endpoint, kind, **params):
        self.simulator.faults(next=[{'kind': kind, 'endpoint': endpoint, **params}])

    def chatter(self, record):
        return '\n'.join(record.message_ids.mapped('body'))
