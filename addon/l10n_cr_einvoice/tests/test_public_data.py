from datetime import date

from freezegun import freeze_time
from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .public_data_setup import (
    DATA,
    DAY,
    EXO_EXPIRED,
    EXO_VALID,
    MOROSO_VAT,
    NEW_COMPANY_VAT,
    NOON,
    PublicDataCommon,
    free_port,
)


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestPublicData(PublicDataCommon):
    """Hacienda's public data in Odoo, against the simulator: partners filled from their
    identification, the BCCR rates stored by the daily cron, exonerations filled from their
    number, CABYS codes found by words."""

    # -- partners ----------------------------------------------------------------------------

    def test_new_partner_is_filled_from_its_identification(self):
        partner = self.env['res.partner'].create({
            'name': NEW_COMPANY_VAT, 'is_company': True, 'vat': NEW_COMPANY_VAT,
            'country_id': self.env.ref('base.cr').id})
        self.assertEqual(partner.name, 'DISTRIBUIDORA LOS ALMENDROS SOCIEDAD ANONIMA')
        self.assertEqual(partner.l10n_cr_id_type_id.code, '02')
        # Active ones only, the primary first; an activity the catalogue lacked was added.
        self.assertEqual(partner.l10n_cr_activity_ids.mapped('code'), ['4711.1', '6201.0', '9999.9'])
        self.assertEqual(partner.l10n_cr_activity_id.code, '4711.1')
        self.assertEqual((partner.l10n_cr_taxpayer_state, partner.l10n_cr_taxpayer_regime),
                         ('Inscrito', 'Régimen General'))
        self.assertTrue(partner.l10n_cr_taxpayer_checked)
        self.assertFalse(partner.l10n_cr_taxpayer_warning)

    def test_typed_name_is_kept_and_form_fills_an_empty_one(self):
        typed = self.env['res.partner'].create({'name': 'Los Almendros', 'vat': NEW_COMPANY_VAT, 'is_company': True})
        self.assertEqual(typed.name, 'Los Almendros')
        self.assertEqual(typed.l10n_cr_activity_id.code, '4711.1')
        with Form(self.env['res.partner']) as form:
            form.company_type = 'company'
            form.vat = '3-101-777888'
            self.assertEqual(form.name, 'DISTRIBUIDORA LOS ALMENDROS SOCIEDAD ANONIMA')
            self.assertEqual(form.l10n_cr_activity_id.code, '4711.1')
        self.assertTrue(form.record.l10n_cr_taxpayer_checked)

    def test_moroso_and_omiso_are_warned(self):
        with self.assertLogs('odoo.tests.form.onchange', 'WARNING') as logged:
            with Form(self.env['res.partner']) as form:
                form.vat = MOROSO_VAT
        self.assertIn('in arrears (moroso)', logged.output[0])
        partner = form.record
        self.assertEqual(partner.name, 'JUAN PEREZ MORA')
        self.assertIn('moroso', partner.l10n_cr_taxpayer_warning)
        self.assertIn('omiso', partner.l10n_cr_taxpayer_warning)
        again = self.env['res.partner'].create({'name': MOROSO_VAT, 'vat': MOROSO_VAT})
        self.assertIn('not having filed returns (omiso)', self.chatter(again))

    def test_button_replaces_with_the_registered_data(self):
        self.partner_cr.write({'name': 'La Sabana', 'l10n_cr_activity_id': self.env.ref(
            'l10n_cr_einvoice.activity_6201_0').id})
        action = self.partner_cr.action_l10n_cr_fill_from_hacienda()
        self.assertEqual(action['params']['type'], 'success')
        self.assertEqual(self.partner_cr.name, 'COMERCIAL LA SABANA LIMITADA')
        # The customer's activity must be one Hacienda registered for it.
        self.assertEqual(self.partner_cr.l10n_cr_activity_id.code, '4711.1')

    def test_partner_lookup_failures_keep_what_was_typed(self):
        cases = {
            'down': lambda: self.company.write({'l10n_cr_public_api_url': f'http://127.0.0.1:{free_port()}'}),
            'slow': lambda: self.fault('taxpayer', 'timeout_before', hold=3),
            'malformed': lambda: self.fault('taxpayer', 'malformed'),
        }
        expected = {'down': 'could not be reached', 'slow': 'did not answer in time',
                    'malformed': 'cannot be read'}
        for kind, break_it in cases.items():
            with self.subTest(kind):
                self.company.l10n_cr_public_api_url = False
                self.lookups().forget()
                break_it()
                partner = self.env['res.partner'].create({'name': 'Escrito a mano', 'vat': NEW_COMPANY_VAT})
                self.assertEqual(partner.name, 'Escrito a mano')
                self.assertFalse(partner.l10n_cr_taxpayer_checked)
                self.assertIn(expected[kind], self.chatter(partner))
        self.company.l10n_cr_public_api_url = False
        self.lookups().forget()
        unknown = self.env['res.partner'].create({'name': 'Desconocido', 'vat': '3101000999'})
        self.assertIn('no taxpayer registered with identification 3101000999', self.chatter(unknown))
        self.assertEqual(unknown.name, 'Desconocido')

    def test_a_billing_user_looks_up_but_cannot_redirect_the_lookups(self):
        billing = self.env['res.users'].with_context(no_reset_password=True).create({
            'name': 'Facturadora', 'login': 'facturadora-datos-publicos', 'company_id': self.company.id,
            'company_ids': [Command.set(self.company.ids)],
            'group_ids': [Command.set((self.env.ref('account.group_account_invoice')
                                       | self.env.ref('base.group_partner_manager')).ids)]})
        with self.assertRaises(AccessError):
            self.company.with_user(billing).read(['l10n_cr_public_api_url'])
        partner = self.env['res.partner'].with_user(billing).create({'name': 'X', 'vat': NEW_COMPANY_VAT})
        self.assertEqual(partner.l10n_cr_activity_id.code, '4711.1')

    def test_foreign_and_unidentified_partners_are_not_looked_up(self):
        before = self.public_requests('taxpayer')
        self.env['res.partner'].create({'name': 'Sin cédula'})
        self.env['res.partner'].create({'name': 'Acme Inc.', 'vat': 'US12345', 'country_id': self.env.ref('base.us').id})
        self.assertEqual(self.public_requests('taxpayer'), before)

    # -- exchange rates ----------------------------------------------------------------------

    def rates_of(self, code):
        currency = self.env.ref(f'base.{code}')
        currency.active = True
        return self.env['res.currency.rate'].search([('currency_id', '=', currency.id),
                                                     ('company_id', '=', self.company.id)])

    def test_cron_stores_the_rate_of_costa_ricas_day(self):
        """00:05, 05:59, 12:00 and 23:55 in Costa Rica (the last one already the next day in UTC)."""
        Rate = self.env['res.currency.rate']
        cron = self.env.ref('l10n_cr_einvoice.ir_cron_l10n_cr_exchange_rates')
        for utc in ('2026-03-10 06:05:00', '2026-03-10 11:59:00', '2026-03-10 18:00:00', '2026-03-11 05:55:00'):
            with self.subTest(utc), freeze_time(utc):
                self.rates_of('USD').unlink()
                self.rates_of('EUR').unlink()
                self.env['ir.cron.trigger'].search([('cron_id', '=', cron.id)]).unlink()
                self.lookups().forget()
                Rate._cron_l10n_cr_update_rates()
                usd, eur = self.rates_of('USD'), self.rates_of('EUR')
                self.assertEqual(usd.mapped('name'), [date(2026, 3, 10)])
                self.assertAlmostEqual(usd.inverse_company_rate, 507.18, places=9)
                self.assertAlmostEqual(eur.inverse_company_rate, 549.9, places=9)
                self.assertEqual(usd.l10n_cr_source, 'hacienda')
                # Today's rate was there: no retry in an hour.
                self.assertFalse(self.env['ir.cron.trigger'].search([('cron_id', '=', cron.id)]))

    @freeze_time(NOON)
    def test_cron_sees_a_rate_published_since_a_lookup(self):
        self.rates_of('USD').unlink()
        self.lookups().exchange_rates()  # an earlier lookup keeps the answer for an hour
        self.simulator.request('PUT', '/_simulator/public-data', {
            'rates': [{'fecha': DAY, 'dolar': {'compra': 501.0, 'venta': 508.5}}]})
        self.addCleanup(self.simulator.request, 'PUT', '/_simulator/public-data', {'rates': DATA['rates']})
        self.env['res.currency.rate']._cron_l10n_cr_update_rates()
        self.assertAlmostEqual(self.rates_of('USD').inverse_company_rate, 508.5)

    @freeze_time('2026-03-11 06:05:00')  # 00:05 on the 11th in Costa Rica; Hacienda still gives the 10th
    def test_cron_tries_again_until_todays_rate_is_published(self):
        cron = self.env.ref('l10n_cr_einvoice.ir_cron_l10n_cr_exchange_rates')
        self.rates_of('USD').unlink()
        self.env['res.currency.rate']._cron_l10n_cr_update_rates()
        self.assertEqual(self.rates_of('USD').mapped('name'), [date(2026, 3, 10)])
        trigger = self.env['ir.cron.trigger'].search([('cron_id', '=', cron.id)])
        self.assertEqual(trigger.call_at, fields.Datetime.to_datetime('2026-03-11 07:05:00'))

    @freeze_time(NOON)
    def test_cron_keeps_a_rate_typed_by_hand_and_survives_an_outage(self):
        usd = self.env.ref('base.USD')
        usd.active = True
        typed = self.env['res.currency.rate'].create({
            'name': DAY, 'currency_id': usd.id, 'company_id': self.company.id, 'inverse_company_rate': 510.0})
        self.env['res.currency.rate']._cron_l10n_cr_update_rates()
        self.assertAlmostEqual(typed.inverse_company_rate, 510.0)
        self.assertFalse(typed.l10n_cr_source)
        self.fault('rates', 'server_error')
        self.rates_of('EUR').unlink()
        self.lookups().forget()
        self.env['res.currency.rate']._cron_l10n_cr_update_rates()  # logged, tried again later, nothing raised
        self.assertFalse(self.rates_of('EUR'))
        cron = self.env.ref('l10n_cr_einvoice.ir_cron_l10n_cr_exchange_rates')
        self.assertTrue(self.env['ir.cron.trigger'].search([('cron_id', '=', cron.id)]))

    # -- exonerations ------------------------------------------------------------------------

    @freeze_time(NOON)
    def test_authorisation_number_fills_the_exoneration(self):
        with Form(self.env['l10n_cr.einvoice.exoneration']) as form:
            form.partner_id = self.partner_cr
            form.number = EXO_VALID.lower()
            self.assertEqual(form.number, EXO_VALID)
            self.assertEqual(form.document_type_id.code, '04')
            self.assertEqual(form.institution_id.code, '01')
            self.assertEqual((form.issue_date, form.date_from, form.date_to),
                             (date(2026, 1, 15), date(2026, 1, 15), date(2026, 12, 31)))
            self.assertEqual((form.rate, form.authorized_rate), (13, 13))
            self.assertEqual(form.cabys_codes, '8314100000000')
            self.assertTrue(form.cabys_limited)
            self.assertEqual(form.hacienda_status, 'confirmed')
            self.assertEqual(form.holder_identification, '3102654321')
        # Saved with what Hacienda said, although the user cannot edit those fields.
        saved = form.record
        self.assertEqual((saved.hacienda_status, saved.cabys_codes, saved.authorized_rate),
                         ('confirmed', '8314100000000', 13))

    @freeze_time(NOON)
    def test_expired_authorisation_is_said_when_entered(self):
        with self.assertLogs('odoo.tests.form.onchange', 'WARNING') as logged:
            with Form(self.env['l10n_cr.einvoice.exoneration']) as form:
                form.partner_id = self.partner_cr
                form.number = EXO_EXPIRED
        self.assertIn('expired on 2025-01-31', logged.output[0])

    def test_check_button(self):
        exoneration = self.env['l10n_cr.einvoice.exoneration'].create({
            'partner_id': self.partner_cr.id, 'number': 'AL-00000001-26', 'rate': 13, 'issue_date': DAY,
            'document_type_id': self.code('exemption_types', '04').id,
            'institution_id': self.code('exemption_institutions', '01').id})
        action = exoneration.action_l10n_cr_check_hacienda()
        self.assertEqual(action['params']['type'], 'warning')
        self.assertIn('no exoneration authorisation AL-00000001-26', action['params']['message'])
        self.assertEqual(exoneration.hacienda_status, 'unknown')

    # -- CABYS -------------------------------------------------------------------------------

    def test_cabys_found_by_words_and_chosen(self):
        product = self.product_service.product_tmpl_id
        product.name = 'Desarrollo aplicaciones'
        action = product.action_l10n_cr_search_cabys()
        search = self.env['l10n_cr.cabys.search'].browse(action['res_id'])
        self.assertEqual(search.line_ids.mapped('code'), ['8314100000100'])
        self.assertEqual(search.total, 1)
        self.assertIn("Hacienda's CABYS catalogue", search.source_note)
        search.line_ids.action_l10n_cr_choose()
        self.assertEqual(product.l10n_cr_cabys_id.code, '8314100000100')
        self.assertEqual(product.l10n_cr_cabys_id.tax_rate, 13)

    def test_choosing_a_code_takes_hacienda_values_not_the_lines(self):
        search = self.env['l10n_cr.cabys.search'].create({'words': 'paginas web'})
        Line = self.env['l10n_cr.cabys.search.line']
        Line.create({'search_id': search.id, 'code': '8314100000200', 'name': 'Otra cosa', 'tax_rate': 1}).action_l10n_cr_choose()
        cabys = self.env['l10n_cr.cabys'].search([('code', '=', '8314100000200')])
        self.assertEqual((cabys.name, cabys.tax_rate), ('Servicios de diseño y desarrollo de páginas web', 13))
        invented = Line.create({'search_id': search.id, 'code': '9999999999999', 'name': 'Inventado'})
        with self.assertRaisesRegex(UserError, 'no code 9999999999999'):
            invented.action_l10n_cr_choose()

    def test_cabys_search_falls_back_to_the_imported_catalogue(self):
        self.fault('cabys', 'malformed')
        search = self.env['l10n_cr.cabys.search'].create({'words': 'software'})
        search.action_l10n_cr_search()
        self.assertIn('imported into Odoo', search.source_note)
        self.assertIn('8314100000000', search.line_ids.mapped('code'))
