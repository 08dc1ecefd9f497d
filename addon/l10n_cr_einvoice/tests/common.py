"""What every test of this module starts from: a configured Costa Rican company and a real
Hacienda simulator process on a free local port, talked to over HTTP.

The simulator is the project's own (``hacienda-cr simulator``), started per test class with
a temporary SQLite database and stopped afterwards. The company signs with a test
certificate made for its cédula jurídica; the simulator accepts it as Hacienda's sandbox
would (it checks the XSD, the XAdES signature, the signer and the business rules).
"""

import base64
import io
import os
import re
import shutil
import tempfile
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from unittest.mock import patch

from lxml import etree
from odoo import Command, fields
from odoo.addons.account.tests.common import AccountTestInvoicingCommon, AccountTestInvoicingHttpCommon
from odoo.exceptions import UserError
from odoo.tests import freeze_time
from odoo.tools import config
from odoo.tools.misc import file_open
from odoo.tools.pdf import PdfReader
from odoo.tools.translate import PoFileReader, TranslationModuleReader

from hacienda_cr.signing import make_test_certificate
from hacienda_cr.simulator.process import SimulatorProcess

ADDON_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = ADDON_DIR.parent.parent
EXPECTED_DIR = Path(__file__).resolve().parent / 'expected'
RESPONSES_DIR = Path(__file__).resolve().parent / 'responses'

COMPANY_VAT = '3101123456'
API_USER = 'cpj-3-101-123456@stag.comprobanteselectronicos.go.cr'
API_PASSWORD = 'contraseña-de-pruebas'
PIN = '4321'
WRONG_PASSWORD = 'incorrecta'
DS = 'http://www.w3.org/2000/09/xmldsig#'


def shared_dir():
    """Hacienda's files (XSDs, catalogues): $HACIENDA_SHARED_DIR, else shared/hacienda next to the repository."""
    return Path(os.environ.get('HACIENDA_SHARED_DIR') or REPO_DIR.parent / 'shared' / 'hacienda')


def xsd_dir():
    return shared_dir() / 'xsd'


def pki_dir():
    """Costa Rica's national PKI certificates (the shared copies of the public certificates)."""
    return shared_dir() / 'pki'


@cache
def company_certificate():
    """A .p12 for the test company's cédula jurídica (RSA key generation is slow: once per run).

    Valid from 400 days before its first use to 400 days after: classes with a frozen clock sign
    months away from the real date (and the certificate is checked when saved), whichever class
    makes it first -- one on the real clock or one frozen in the past."""
    with freeze_time(datetime.now(timezone.utc) - timedelta(days=400)):
        return make_test_certificate('02', COMPANY_VAT, pin=PIN, name='EMPRESA DEMO S.A.', days=800)


CR = timezone(timedelta(hours=-6))
CLOCK_HOURS = ((0, 5), (5, 59), (12, 0), (23, 55))


def latest_moments(now=None):
    """The hours frozen-clock tests run at (00:05, 05:59, 12:00 and 23:55 in Costa Rica, the last
    one already the next day in UTC), each at its latest occurrence at least ten minutes ago: the
    simulator, on the real clock, then receives documents of the past, never of the future."""
    now = now or datetime.now(CR)
    moments = []
    for hour, minute in CLOCK_HOURS:
        moment = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if moment > now - timedelta(minutes=10):
            moment -= timedelta(days=1)
        moments.append(moment)
    return moments


def frozen_at(moment):
    """``freeze_time`` at an aware moment (freezegun takes naive times as UTC)."""
    return freeze_time(moment.astimezone(timezone.utc).replace(tzinfo=None))


def backdated_certificate(days=2):
    """A .p12 for the company valid since ``days`` ago: frozen-clock tests sign in the past."""
    with freeze_time(datetime.now(timezone.utc) - timedelta(days=days)):
        return make_test_certificate('02', COMPANY_VAT, pin=PIN, name='EMPRESA DEMO S.A.')


def assert_every_term_translated(case, module, at_least):
    """Users work in Spanish: every term ``module`` shows (Python, views, JavaScript) has its es_CR
    translation, and the file keeps none the module dropped."""
    terms = {row[4] for row in TranslationModuleReader(case.env.cr, modules=[module]) if row[0] == module}
    case.assertGreater(len(terms), at_least)
    with file_open(f'{module}/i18n/es_CR.po', 'rb') as po:
        translated = {entry['src']: entry['value'] for entry in PoFileReader(po)}
    missing = sorted(t for t in terms if not translated.get(t))
    case.assertFalse(missing, f"terms without a Spanish translation: {missing[:10]}")
    stale = sorted(set(translated) - terms)
    case.assertFalse(stale, f"translations of terms the module no longer has: {stale[:10]}")


def compact(text):
    return re.sub(r'\s+', '', text)


def pdf_text(pdf):
    """The text of a PDF's pages, as a reader sees it, without whitespace (text extraction cuts
    lines where it likes)."""
    return compact(''.join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def configure_company(env, name, email, street):
    """A Costa Rican company set up for the test simulator (chart, identity, credentials, certificate),
    for tests that work with committed data on real cursors. Returns it in an environment where it
    is the allowed company."""
    codes = env['l10n_cr.einvoice.code']
    company = env['res.company'].create({
        'name': name,
        'country_id': env.ref('base.cr').id,
        'currency_id': env.ref('base.CRC').id,
    })
    env.user.company_ids |= company
    env = env(context={**env.context, 'allowed_company_ids': [company.id]})
    env['account.chart.template'].try_loading('cr', company=company, install_demo=False)
    company = company.with_env(env)
    company.write({
        'vat': COMPANY_VAT,
        'email': email,
        'street': street,
        'state_id': env.ref('base.state_SJ').id,
        'l10n_cr_canton_code': '01',
        'l10n_cr_district_code': '01',
        'l10n_cr_enabled': True,
        'l10n_cr_environment': 'simulator',
        'l10n_cr_username': API_USER,
        'l10n_cr_password': API_PASSWORD,
        'l10n_cr_id_type_id': codes._l10n_cr_get('identification_types', '02').id,
        'l10n_cr_activity_id': env.ref('l10n_cr_einvoice.activity_6201_0').id,
    })
    company.l10n_cr_set_certificate(base64.b64encode(company_certificate()), PIN)
    return company


def start_simulator(owner, extra=(), users=()):
    """Start the simulator for ``owner`` (a test class); it stops when the class is done.
    ``users``: more ``USERNAME:PASSWORD`` accounts (a supplier's, for instance)."""
    tmp = Path(tempfile.mkdtemp(prefix='l10n_cr_einvoice_sim_'))
    simulator = SimulatorProcess(
        db=tmp / 'simulator.sqlite3',
        users=[f'{API_USER}:{API_PASSWORD}', *users],
        xsd_dir=xsd_dir(),
        extra=['--processing-delay', '0', *extra],
        log_path=tmp / 'simulator.log',
    )
    simulator.start()
    owner.addClassCleanup(shutil.rmtree, tmp, ignore_errors=True)
    owner.addClassCleanup(simulator.stop)
    return simulator


def expected_form(tree):
    """A copy of a signed document with what changes on every run replaced by ``___ignore___``."""
    tree = etree.fromstring(etree.tostring(tree))
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element).localname
        if name == 'Signature':
            for child in list(element):
                element.remove(child)
            element.attrib.clear()
            element.text = '___ignore___'
        elif name in ('Clave', 'FechaEmision', 'FechaEmisionIR', 'OtroTexto') or (
                name == 'Numero' and etree.QName(element.getparent()).localname == 'InformacionReferencia'
                and len(element.text or '') == 50):
            element.text = '___ignore___'
    return tree


class SimulatorRequests:
    """Odoo's test harness compares a request timeout with a number; the API client passes
    requests a (connect, read) pair. Give the harness one number (it then applies its
    own 10-second minimum) and let it filter the request as usual (localhost only)."""

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        timeout = kw.get('timeout')
        if isinstance(timeout, tuple):
            kw['timeout'] = max(t for t in timeout if t is not None)
        return super()._request_handler(s, r, **kw)


class L10nCrEinvoiceSetup(SimulatorRequests):
    """The company, master data and simulator, for TransactionCase and HttpCase classes alike."""

    simulator_users = ()  # more simulator accounts than the company's

    @classmethod
    @AccountTestInvoicingCommon.setup_country('cr')
    def setUpClass(cls):
        super().setUpClass()
        cls.startClassPatcher(patch.dict(config.options, {'l10n_cr_einvoice_schema_dir': str(xsd_dir()),
                                                          'l10n_cr_einvoice_pki_dir': str(pki_dir())}))
        cls.simulator = start_simulator(cls, users=cls.simulator_users)
        cls.startClassPatcher(patch.dict(config.options, {'l10n_cr_einvoice_simulator_url': cls.simulator.url}))
        cls.Document = cls.env['l10n_cr.einvoice.document']
        cls.codes = cls.env['l10n_cr.einvoice.code']
        cls.company = cls.company_data['company']
        # Costa Rican users: "today" is Costa Rica's (an invoice dated by Odoo at 23:55 there is
        # dated that day, not the next one, as UTC would have it).
        cls.env.user.tz = 'America/Costa_Rica'
        cls.setup_cr_company(cls.company)
        cls.setup_cr_master_data()

    @classmethod
    def code(cls, list_name, code):
        record = cls.env['l10n_cr.einvoice.code']._l10n_cr_get(list_name, code)
        assert record, f"no code {code} in {list_name}"
        return record

    @classmethod
    def cabys(cls, code, name, rate=13):
        """The catalogue entry (an import or another test class may have it already)."""
        Cabys = cls.env['l10n_cr.cabys'].with_context(active_test=False)
        return Cabys.search([('code', '=', code)]) or Cabys.create({'code': code, 'name': name, 'tax_rate': rate})

    @classmethod
    def setup_cr_company(cls, company, name='Empresa Demo S.A.', vat=COMPANY_VAT, p12=None):
        company.write({
            'name': name,
            'vat': vat,
            'email': 'facturacion@demo.cr',
            'street': 'Avenida 2, edificio Demo, piso 3',
            'city': 'San José',
            'state_id': cls.env.ref('base.state_SJ').id,
            'l10n_cr_canton_code': '01',
            'l10n_cr_district_code': '08',
            'l10n_cr_enabled': True,
            'l10n_cr_environment': 'simulator',
            'l10n_cr_username': API_USER,
            'l10n_cr_password': API_PASSWORD,
            'l10n_cr_id_type_id': cls.code('identification_types', '02').id,
            'l10n_cr_activity_id': cls.env.ref('l10n_cr_einvoice.activity_6201_0').id,
            'l10n_cr_commercial_name': 'Demo Software',
            'l10n_cr_payment_method_id': cls.code('payment_methods', '04').id,
            # Fixed rather than "by date": the expected files do not change with the calendar.
            'l10n_cr_schema_set': 'v4.4-2026',
        })
        company.l10n_cr_set_certificate(base64.b64encode(p12 or company_certificate()), PIN)

    @classmethod
    def setup_cr_master_data(cls):
        env = cls.env
        template = env['account.chart.template'].with_company(cls.company)
        cls.tax_13 = cls.company_data['default_tax_sale']
        cls.tax_4 = template.ref('l10n_cr_tax_sale_iva_4')
        cls.tax_1 = template.ref('l10n_cr_tax_sale_iva_1')
        cls.tax_0 = template.ref('l10n_cr_tax_sale_iva_0')
        cls.tax_exempt = template.ref('l10n_cr_tax_sale_exempt')
        cls.tax_exonerated = template.ref('l10n_cr_tax_sale_iva_13_exonerated')
        cls.tax_purchase_13 = cls.company_data['default_tax_purchase']
        cls.cabys_software = cls.cabys('8314100000000', 'Servicios de diseño y desarrollo de software', 13)
        cls.cabys_laptop = cls.cabys('4523000000100', 'Computadora portátil', 13)
        cls.cabys_coffee = cls.cabys('2111100000000', 'Café en grano', 1)
        cls.cabys_beans = cls.cabys('0111100000000', 'Frijol', 1)
        cls.product_service = env['product.product'].create({
            'name': 'Desarrollo de software a la medida',
            'type': 'service',
            'default_code': 'SERV-DEV',
            'uom_id': env.ref('uom.product_uom_hour').id,
            'l10n_cr_cabys_id': cls.cabys_software.id,
            'lst_price': 25000,
            'taxes_id': [Command.set(cls.tax_13.ids)],
        })
        cls.product_laptop = env['product.product'].create({
            'name': 'Computadora portátil',
            'type': 'consu',
            'uom_id': env.ref('uom.product_uom_unit').id,
            'l10n_cr_cabys_id': cls.cabys_laptop.id,
            'lst_price': 450000,
            'taxes_id': [Command.set(cls.tax_13.ids)],
        })
        cls.product_coffee = env['product.product'].create({
            'name': 'Café en grano',
            'type': 'consu',
            'uom_id': env.ref('uom.product_uom_kgm').id,
            'l10n_cr_cabys_id': cls.cabys_coffee.id,
            'l10n_cr_tariff_heading': '090111000000',
            'lst_price': 4000,
            'taxes_id': [Command.set(cls.tax_1.ids)],
        })
        cls.product_no_cabys = env['product.product'].create({
            'name': 'Producto sin CABYS',
            'type': 'consu',
            'lst_price': 100,
            'taxes_id': [Command.set(cls.tax_13.ids)],
        })
        sj = env.ref('base.state_SJ')
        cls.partner_cr = env['res.partner'].create({
            'name': 'Comercial La Sabana Ltda.',
            'is_company': True,
            'vat': '3102654321',
            'country_id': env.ref('base.cr').id,
            'state_id': sj.id,
            'street': 'Costado norte del parque',
            'city': 'San José',
            'l10n_cr_canton_code': '08',
            'l10n_cr_district_code': '01',
            'email': 'compras@lasabana.cr',
            'l10n_cr_emails': 'proveedores@lasabana.cr, contabilidad@lasabana.cr',
            'l10n_cr_activity_id': env.ref('l10n_cr_einvoice.activity_4711_1').id,
        })
        cls.partner_anonymous = env['res.partner'].create({'name': 'Cliente de contado'})
        cls.partner_foreign = env['res.partner'].create({
            'name': 'Northwind Traders Inc.',
            'is_company': True,
            'vat': 'US8847261',
            'country_id': env.ref('base.us').id,
            'street': '500 Market Street',
            'city': 'San Francisco',
            'email': 'ap@northwind.example',
        })
        cls.supplier_fec = env['res.partner'].create({
            'name': 'Juan Pérez Mora',
            'vat': '109870654',
            'country_id': env.ref('base.cr').id,
            'state_id': env.ref('base.state_P').id,
            'street': 'Finca La Esperanza',
            'l10n_cr_canton_code': '02',
            'l10n_cr_district_code': '01',
            'l10n_cr_fec': True,
        })

    # -- helpers ---------------------------------------------------------------------------

    def make_invoice(self, partner, lines, move_type='out_invoice', post=True, **values):
        """``lines``: (product, quantity, price_unit[, taxes[, discount]]) tuples."""
        line_vals = []
        for line in lines:
            product, quantity, price = line[:3]
            vals = {'product_id': product.id, 'quantity': quantity, 'price_unit': price}
            if len(line) > 3 and line[3] is not None:
                vals['tax_ids'] = [Command.set(line[3].ids)]
            if len(line) > 4:
                vals['discount'] = line[4]
            line_vals.append(Command.create(vals))
        move = self.env['account.move'].create({
            'move_type': move_type,
            'partner_id': partner.id,
            'invoice_date': fields.Date.context_today(self.env.user),
            'invoice_line_ids': line_vals,
            **values,
        })
        if post:
            move.action_post()
        return move

    def assert_posting_refused(self, move, *fragments):
        """Posting ``move`` fails with a message holding every fragment, and leaves nothing behind:
        still a draft, no electronic document (no consecutivo used)."""
        with self.assertRaises(UserError) as caught:
            move.action_post()
        for fragment in fragments:
            self.assertIn(fragment, caught.exception.args[0])
        self.assertEqual(move.state, 'draft')
        self.assertFalse(move.l10n_cr_document_ids)
        return caught.exception.args[0]

    def process_queue(self, rounds=10):
        """Run the queue until nothing is pending, making every waiting document due (time passing)."""
        for _i in range(rounds):
            pending = self.Document.sudo().search(['|', ('state', 'in', ('to_send', 'sent')), ('email_next_try', '!=', False)])
            if not pending:
                return
            pending.filtered(lambda d: d.state in ('to_send', 'sent')).write({'next_try': False})
            pending.filtered('email_next_try').write({'email_next_try': fields.Datetime.now()})
            self.Document._l10n_cr_process_queue(time_budget=120)

    def signed_tree(self, document):
        return etree.fromstring(document.xml_attachment_id.raw)

    def assert_matches_expected(self, document, filename):
        """The document's XML, signature aside, against tests/expected/FILENAME (``___ignore___`` marks
        what differs on every run: clave, dates, the signature, the invoice's name).

        With L10N_CR_EINVOICE_WRITE_EXPECTED=DIR the actual XML is written there in that form,
        to review and copy over an expected file when the mapping changes on purpose."""
        actual = self.signed_tree(document)
        target = os.environ.get('L10N_CR_EINVOICE_WRITE_EXPECTED')
        if target:
            Path(target).mkdir(parents=True, exist_ok=True)
            (Path(target) / filename).write_bytes(etree.tostring(
                expected_form(actual), pretty_print=True, xml_declaration=True, encoding='utf-8'))
        expected = etree.parse(str(Path(target or EXPECTED_DIR) / filename)).getroot()
        self.assertXmlTreeEqual(actual, expected)

    def simulator_totals(self):
        return self.simulator.stats()['stored']


class L10nCrEinvoiceCommon(L10nCrEinvoiceSetup, AccountTestInvoicingCommon):
    pass


class L10nCrEinvoiceHttpCommon(L10nCrEinvoiceSetup, AccountTestInvoicingHttpCommon):
    pass
