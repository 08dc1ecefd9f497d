import base64
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from freezegun import freeze_time
from odoo import fields
from odoo.tests import tagged

from hacienda_cr.signing.testcert import issue_test_certificate, pack_pkcs12

from .common import COMPANY_VAT, PIN
from .public_data_setup import (
    DAY,
    EXO_EXPIRED,
    EXO_FOUR,
    EXO_VALID,
    NOON,
    PublicDataCommon,
    free_port,
)
from .test_documents import text


@tagged('post_install_l10n', 'post_install', '-at_install')
@freeze_time(NOON)
class TestPublicDataAtPosting(PublicDataCommon):
    """What posting asks Hacienda — the BCCR rate of the invoice's date, its exoneration
    authorisations — and what it does when Hacienda cannot answer: it posts from the stored
    data and says so in the invoice's chatter. An exoneration that cannot apply (expired,
    exonerating more than authorised, not covering the product) is refused before anything
    is numbered."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Signing at the frozen date needs a certificate already valid then.
        key, certificate, ca = issue_test_certificate(
            '02', COMPANY_VAT, name='EMPRESA DEMO S.A.', days=730,
            not_before=datetime(2026, 1, 1, tzinfo=timezone.utc))
        cls.company.l10n_cr_set_certificate(
            base64.b64encode(pack_pkcs12(key, certificate, ca, PIN, friendly_name='2026')), PIN)

    def setUp(self):
        super().setUp()
        self.usd = self.env.ref('base.USD')
        self.usd.active = True
        self.env['res.currency.rate'].search([('currency_id', '=', self.usd.id)]).unlink()

    def store_rate(self, day, colones):
        return self.env['res.currency.rate'].create({
            'name': day, 'currency_id': self.usd.id, 'company_id': self.company.id, 'inverse_company_rate': colones})

    def exoneration(self, number, **values):
        return self.env['l10n_cr.einvoice.exoneration'].create({
            'partner_id': self.partner_cr.id, 'number': number, 'rate': 13,
            'document_type_id': self.code('exemption_types', '04').id,
            'institution_id': self.code('exemption_institutions', '01').id,
            'issue_date': date(2026, 1, 15), 'date_from': date(2026, 1, 15), 'date_to': date(2026, 12, 31),
            **values})

    def exonerated_invoice(self, post=True, currency=None, product=None):
        extra = {'currency_id': currency.id} if currency else {}
        return self.make_invoice(self.partner_cr, [(product or self.product_service, 2, 100, self.tax_exonerated)],
                                 post=post, **extra)

    # -- the rate of the invoice's date --------------------------------------------------------

    def test_dollar_invoice_uses_the_rate_of_its_date(self):
        self.store_rate('2026-03-01', 500.0)
        move = self.make_invoice(self.partner_cr, [(self.product_service, 1, 100, self.tax_13)],
                                 currency_id=self.usd.id)
        stored = self.env['res.currency.rate'].search([('currency_id', '=', self.usd.id), ('name', '=', DAY)])
        self.assertEqual(stored.l10n_cr_source, 'hacienda')
        self.assertAlmostEqual(move.invoice_currency_rate, 1 / 507.18, places=12)
        self.assertAlmostEqual(move.amount_total_signed, 113 * 507.18, places=2)  # booked in colones
        tree = self.signed_tree(move.l10n_cr_document_id)
        self.assertEqual(Decimal(text(tree, 'ResumenFactura/CodigoTipoMoneda/TipoCambio')), Decimal('507.18'))
        self.assertNotIn('stored USD rate', self.chatter(move))

    def test_past_dated_dollar_invoice_uses_that_days_rate(self):
        move = self.make_invoice(self.partner_cr, [(self.product_service, 1, 100, self.tax_13)],
                                 currency_id=self.usd.id, post=False)
        move.invoice_date = date(2026, 3, 6)
        move.action_post()
        tree = self.signed_tree(move.l10n_cr_document_id)
        self.assertEqual(Decimal(text(tree, 'ResumenFactura/CodigoTipoMoneda/TipoCambio')), Decimal('505.31'))

    def test_rate_typed_on_the_invoice_is_kept(self):
        self.store_rate('2026-03-01', 500.0)
        move = self.make_invoice(self.partner_cr, [(self.product_service, 1, 100, self.tax_13)],
                                 currency_id=self.usd.id, post=False)
        move.invoice_currency_rate = 1 / 520.0
        move.action_post()
        self.assertAlmostEqual(move.invoice_currency_rate, 1 / 520.0, places=12)

    # -- exonerations --------------------------------------------------------------------------

    def test_valid_authorisation_is_confirmed_and_used(self):
        exoneration = self.exoneration(EXO_VALID)
        move = self.exonerated_invoice()
        self.assertEqual(exoneration.hacienda_status, 'confirmed')
        lines = [c for c in self.signed_tree(move.l10n_cr_document_id).iter()
                 if isinstance(c.tag, str) and c.tag.endswith('LineaDetalle')]
        self.assertEqual(text(lines[0], 'Impuesto/Exoneracion/NumeroDocumento'), EXO_VALID)
        self.assertEqual(text(lines[0], 'Impuesto/Exoneracion/FechaEmisionEX'), '2026-01-15T00:00:00-06:00')

    def test_expired_authorisation_is_refused_at_posting(self):
        # Stored as valid until the end of the year; Hacienda says it expired in 2025.
        self.exoneration(EXO_EXPIRED)
        move = self.exonerated_invoice(post=False)
        self.assert_posting_refused(move, 'the exoneration AL-00000777-24 expired on 2025-01-31', 'Valid until')

    def test_expired_stored_authorisation_is_refused_without_asking(self):
        self.exoneration('EXO-LEY-9635', date_to=date(2026, 3, 9))  # not an EXONET number: not looked up
        before = self.public_requests('exoneration')
        self.assert_posting_refused(self.exonerated_invoice(post=False), 'expired on 2026-03-09')
        self.assertEqual(self.public_requests('exoneration'), before)

    def test_authorisation_not_covering_the_product_is_refused(self):
        self.exoneration(EXO_VALID)
        move = self.exonerated_invoice(post=False, product=self.product_laptop)
        self.assert_posting_refused(move, 'does not cover the CABYS code 4523000000100', 'Covered CABYS codes')

    def test_exonerating_more_than_authorised_is_refused(self):
        self.exoneration(EXO_FOUR)  # Hacienda authorises 4 points; the tax exonerates all 13
        move = self.exonerated_invoice(post=False)
        self.assert_posting_refused(move, 'the tax exonerates 13 VAT points but the exoneration AL-00044444-26 allows 4')

    # -- failure modes: posting goes on from the stored data -----------------------------------

    def posting_from_stored_data(self, break_it, expected):
        """A dollar invoice with an exonerated line while Hacienda misbehaves: it posts with the
        stored rate (of the day before) and the stored, earlier confirmed exoneration."""
        self.store_rate('2026-03-09', 506.0)
        exoneration = self.exoneration(EXO_VALID, hacienda_status='confirmed',
                                       hacienda_checked=fields.Datetime.now() - timedelta(days=2),
                                       holder_identification='3102654321', authorized_rate=13,
                                       cabys_limited=True, cabys_codes='8314100000000')
        break_it()
        move = self.exonerated_invoice(currency=self.usd)
        self.assertEqual(move.state, 'posted')
        tree = self.signed_tree(move.l10n_cr_document_id)
        self.assertEqual(Decimal(text(tree, 'ResumenFactura/CodigoTipoMoneda/TipoCambio')), Decimal('506'))
        self.assertEqual(exoneration.date_to, date(2026, 12, 31))
        notes = self.chatter(move)
        self.assertIn(f'Exoneration {EXO_VALID}:', notes)
        self.assertIn('stored data (confirmed by Hacienda on', notes)
        self.assertIn('the stored USD rate of 2026-03-09 (506.00 colones) was used', notes)
        for fragment in expected:
            self.assertIn(fragment, notes)
        self.process_queue()
        self.assertEqual(move.l10n_cr_state, 'accepted')

    def test_posting_while_the_service_is_down(self):
        self.posting_from_stored_data(
            lambda: self.company.write({'l10n_cr_public_api_url': f'http://127.0.0.1:{free_port()}'}),
            ["Hacienda's exchange rate service could not be reached", "Hacienda's exoneration service could not be"])

    def test_posting_while_the_service_is_slow(self):
        def slow():
            self.fault('rates', 'timeout_before', hold=3)
            self.fault('exoneration', 'timeout_before', hold=3)
        self.posting_from_stored_data(slow, ["exchange rate service did not answer in time",
                                             "exoneration service did not answer in time"])

    def test_posting_while_the_service_answers_garbage(self):
        def garbage():
            self.fault('rates', 'malformed')
            self.fault('exoneration', 'malformed')
        self.posting_from_stored_data(garbage, ["exchange rate service gave an answer that cannot be read",
                                                "exoneration service gave an answer that cannot be read"])

    def test_posting_when_hacienda_does_not_know(self):
        # No rate published for the invoice's day yet, and an authorisation Hacienda does not have.
        self.simulator.request('PUT', '/_simulator/public-data', {'today': '2026-03-09'})
        self.addCleanup(self.simulator.request, 'PUT', '/_simulator/public-data', {'today': DAY})
        self.store_rate('2026-03-09', 506.0)
        self.exoneration('AL-00099999-26', hacienda_status='confirmed',
                         hacienda_checked=fields.Datetime.now() - timedelta(days=2))
        move = self.exonerated_invoice(currency=self.usd)
        self.assertEqual(move.state, 'posted')
        notes = self.chatter(move)
        self.assertIn('Hacienda has not published the USD rate of 2026-03-10', notes)
        self.assertIn('no exoneration authorisation AL-00099999-26', notes)
        tree = self.signed_tree(move.l10n_cr_document_id)
        self.assertEqual(Decimal(text(tree, 'ResumenFactura/CodigoTipoMoneda/TipoCambio')), Decimal('506'))
        self.process_queue()
        self.assertEqual(move.l10n_cr_state, 'accepted')

    def test_an_outage_costs_one_timeout_for_a_batch(self):
        self.store_rate('2026-03-09', 506.0)
        self.fault('rates', 'timeout_before', hold=3)
        moves = [self.make_invoice(self.partner_cr, [(self.product_service, 1, 100, self.tax_13)],
                                   currency_id=self.usd.id, post=False) for _i in range(3)]
        before = self.public_requests('rates')
        for move in moves:
            move.action_post()
        self.assertEqual({m.state for m in moves}, {'posted'})
        # The held request is counted once the simulator lets it go (after 3 s).
        for _i in range(50):
            if self.public_requests('rates') > before:
                break
            time.sleep(0.1)
        self.assertEqual(self.public_requests('rates'), before + 1)
