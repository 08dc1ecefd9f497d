"""What a billing user (Odoo Community's Invoicing rights) sees and is told: the e-invoicing fields
of products and customers within reach, advice they can follow, the document behind the Hacienda
button, invoices found by clave or consecutivo, an answer to "Check status", settings that explain
themselves."""

from lxml import etree
from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import L10nCrEinvoiceCommon


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestUserGuidance(L10nCrEinvoiceCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing = cls.env['res.users'].create({
            'name': 'Contadora', 'login': 'contadora-cr', 'company_id': cls.company.id,
            'company_ids': [Command.set(cls.company.ids)],
            'group_ids': [Command.set([cls.env.ref('account.group_account_invoice').id,
                                       cls.env.ref('product.group_product_manager').id])],
        })

    def form_fields(self, model, user):
        arch = self.env[model].with_user(user).get_views([(False, 'form')])['views']['form']['arch']
        return {node.get('name') for node in etree.fromstring(arch).iter('field')}

    def test_billing_users_see_the_e_invoicing_fields(self):
        self.assertTrue({'l10n_cr_cabys_id', 'l10n_cr_unit_id', 'l10n_cr_other_charge_type_id'}
                        <= self.form_fields('product.template', self.billing))
        self.assertTrue({'l10n_cr_cabys_id'} <= self.form_fields('product.product', self.billing))
        self.assertTrue({'l10n_cr_id_type_id', 'l10n_cr_activity_id', 'l10n_cr_emails'}
                        <= self.form_fields('res.partner', self.billing))
        # ...and set them.
        product = self.env['product.template'].with_user(self.billing).create({
            'name': 'Asesoría contable', 'type': 'service', 'l10n_cr_cabys_id': self.cabys_software.id})
        self.assertEqual(product.l10n_cr_cabys_id, self.cabys_software)

    def test_every_setting_explains_itself(self):
        """Each e-invoicing setting (of every installed addon of ours) has a help text, and each of its
        fields a label that shows the field's help as a tooltip (static/src/settings)."""
        Settings = self.env['res.config.settings']
        view = Settings.get_views([(False, 'form')])['views']['form']
        fields = Settings.fields_get(attributes=['help'])
        settings = etree.fromstring(view['arch']).xpath("//setting[contains(@class, 'o_l10n_cr_einvoice_setting')]")
        self.assertGreaterEqual(len(settings), 3)
        missing = []
        for setting in settings:
            if not (setting.get('help') or '').strip():
                missing.append(f"setting {setting.get('id')}: no help")
            labels = {label.get('for'): label.get('class', '').split() for label in setting.iter('label')}
            for field in setting.iter('field'):
                name = field.get('name')
                if field.getparent() is setting:
                    continue  # the setting's own checkbox, explained by the setting's help
                if not (fields[name].get('help') or '').strip():
                    missing.append(f"{name}: no help")
                if 'o_l10n_cr_help' not in labels.get(name, ()):
                    missing.append(f"{name}: no label showing its help")
        self.assertEqual(missing, [])

    def test_advice_says_where_and_who(self):
        move = self.make_invoice(self.partner_cr, [(self.product_no_cabys, 1, 100)], post=False)
        with self.assertRaisesRegex(UserError, 'General Information tab, Costa Rica e-invoicing'):
            move.with_user(self.billing).action_post()
        self.company.sudo().l10n_cr_activity_id = False
        with self.assertRaisesRegex(UserError, r'an administrator sets it in Invoicing › Configuration › Settings'):
            self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 100)], post=False)\
                .with_user(self.billing).action_post()

    def test_hacienda_button_opens_the_document(self):
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 1000)])
        action = move.action_l10n_cr_documents()
        self.assertEqual((action['view_mode'], action['res_id']), ('form', move.l10n_cr_document_id.id))
        self.simulator.faults(next=[{'kind': 'reject'}])
        self.process_queue()
        move.button_draft()
        move.action_post()
        action = move.action_l10n_cr_documents()
        self.assertEqual(action['view_mode'], 'list,form')
        self.assertEqual(action['domain'], [('id', 'in', move.l10n_cr_document_ids.ids)])

    def test_invoices_found_by_clave_or_consecutivo(self):
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 1000)])
        other = self.make_invoice(self.partner_cr, [(self.product_laptop, 2, 1000)])
        document = move.l10n_cr_document_id
        search_view = self.env['account.move'].with_user(self.billing).get_views(
            [(self.env.ref('account.view_account_invoice_filter').id, 'search')])['views']['search']['arch']
        self.assertIn('name="l10n_cr_document_ids"', search_view)
        Move = self.env['account.move'].with_user(self.billing)
        for text in (document.clave, document.consecutivo, document.clave[21:41]):
            self.assertEqual(Move.search([('l10n_cr_document_ids', 'ilike', text)]), move, text)
        self.assertNotEqual(other.l10n_cr_clave, document.clave)

    def test_check_status_says_what_hacienda_answered(self):
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 1000)])
        document = move.l10n_cr_document_id
        answer = move.with_user(self.billing).action_l10n_cr_check_status()
        self.assertEqual(answer['tag'], 'display_notification')
        self.assertIn('there is nothing to ask', answer['params']['message'])
        document._l10n_cr_submit()
        self.assertEqual(document.state, 'sent')
        answer = move.with_user(self.billing).action_l10n_cr_check_status()
        self.assertEqual(document.state, 'accepted')
        self.assertEqual(answer['params']['type'], 'success')
        self.assertIn(document.display_name, answer['params']['message'])
        self.assertIn('Accepted', answer['params']['message'])
        self.assertEqual(answer['params']['next'], {'type': 'ir.actions.client', 'tag': 'soft_reload'})

    def test_accepted_documents_are_not_validated_again(self):
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 1000)])
        document = move.l10n_cr_document_id
        self.assertEqual(document.action_l10n_cr_validate()['params']['type'], 'success')
        self.process_queue()
        with self.assertRaisesRegex(UserError, 'there is nothing to validate'):
            document.action_l10n_cr_validate()
