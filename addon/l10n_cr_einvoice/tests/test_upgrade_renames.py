from odoo.modules.module import load_script
from odoo.tests import TransactionCase, tagged
from odoo.tools.sql import column_exists, index_exists


@tagged('post_install', '-at_install')
class TestUpgradeRenames(TransactionCase):
    """Upgrading to 1.5 renames fields in place: a database of 1.4, with its values, the field's id
    (selection values, saved defaults and tracking hang on it) and a noupdate mail template naming
    the field, comes out with the new names and nothing lost."""

    def _as_in_1_4(self, model, new, old):
        """The 1.4 schema of one field, built by hand (not by the code under test)."""
        table = model.replace('.', '_')
        cr = self.env.cr
        cr.execute(f'ALTER TABLE {table} RENAME COLUMN "{new}" TO "{old}"')
        # The field's records on every model showing it (settings, `_inherits`), and their XML ids.
        cr.execute("""UPDATE ir_model_fields SET name = %s WHERE name = %s AND id IN (
                          SELECT res_id FROM ir_model_data
                           WHERE module = 'l10n_cr_einvoice' AND model = 'ir.model.fields')""", (old, new))
        cr.execute("""UPDATE ir_model_data SET name = replace(name, %s, %s)
                       WHERE module = 'l10n_cr_einvoice' AND model = 'ir.model.fields' AND name LIKE %s""",
                   (f'__{new}', f'__{old}', f'%\\_\\_{new}'))
        cr.execute("""UPDATE ir_model_data SET name = replace(name, %s, %s)
                       WHERE module = 'l10n_cr_einvoice' AND model = 'ir.model.fields.selection'""",
                   (f'__{new}__', f'__{old}__'))

    def test_upgrade_to_1_5_keeps_values_ids_and_templates(self):
        company = self.env['res.company'].create({
            'name': 'Antes de 1.5', 'l10n_cr_username': 'cpj-3-101-123456', 'l10n_cr_environment': 'sandbox'})
        template = self.env.ref('l10n_cr_einvoice.email_template_einvoice')
        username_field = self.env['ir.model.fields']._get('res.company', 'l10n_cr_username')
        state_field = self.env['ir.model.fields']._get('account.move', 'l10n_cr_state')
        state_selection = state_field.selection_ids.ids
        line_state_field = self.env['ir.model.fields']._get('account.bank.statement.line', 'l10n_cr_state')
        settings_field = self.env['ir.model.fields']._get('res.config.settings', 'l10n_cr_username')
        self.assertTrue(line_state_field and settings_field)
        self.assertTrue(state_selection)
        self.env.flush_all()

        cr = self.env.cr
        self._as_in_1_4('res.company', 'l10n_cr_username', 'l10n_cr_einvoice_username')
        self._as_in_1_4('account.move', 'l10n_cr_state', 'l10n_cr_einvoice_state')
        cr.execute("CREATE INDEX account_move__l10n_cr_einvoice_state_index ON account_move (l10n_cr_einvoice_state)")
        cr.execute("UPDATE mail_template SET email_to = replace(email_to, 'l10n_cr_email_to', 'l10n_cr_einvoice_email_to')"
                   " WHERE id = %s", (template.id,))
        view = self.env.ref('l10n_cr_einvoice.view_move_form_l10n_cr_einvoice_received')
        cr.execute("UPDATE ir_ui_view SET arch_db = replace(arch_db::text, 'action_l10n_cr_received',"
                   " 'action_l10n_cr_einvoice_received')::jsonb WHERE id = %s", (view.id,))
        cr.execute("SELECT email_to FROM mail_template WHERE id = %s", (template.id,))
        self.assertIn('.l10n_cr_einvoice_email_to', cr.fetchone()[0])

        load_script('l10n_cr_einvoice/migrations/19.0.1.5.0/pre-migrate.py', 'pre_migrate').migrate(cr, '19.0.1.4.0')
        self.env.invalidate_all()

        self.assertFalse(column_exists(cr, 'res_company', 'l10n_cr_einvoice_username'))
        self.assertEqual(company.l10n_cr_username, 'cpj-3-101-123456', "the value moved with the column")
        self.assertEqual(company.l10n_cr_environment, 'sandbox')
        self.assertEqual(self.env['ir.model.fields']._get('res.company', 'l10n_cr_username'), username_field,
                         "the same field record, under its new name")
        self.assertEqual(self.env.ref('l10n_cr_einvoice.field_res_company__l10n_cr_username'), username_field)
        self.assertEqual(state_field.selection_ids.ids, state_selection)
        self.assertEqual(self.env.ref('l10n_cr_einvoice.selection__account_move__l10n_cr_state__to_send'),
                         state_field.selection_ids.filtered(lambda s: s.value == 'to_send'),
                         "a selection value's XML id, which its translations are loaded by")
        self.assertEqual(self.env.ref('l10n_cr_einvoice.field_account_bank_statement_line__l10n_cr_state'),
                         line_state_field, "a move's field shown on statement lines (_inherits)")
        self.assertEqual(self.env.ref('l10n_cr_einvoice.field_res_config_settings__l10n_cr_username'),
                         settings_field)
        self.assertEqual(settings_field.name, 'l10n_cr_username')
        self.assertTrue(index_exists(cr, 'account_move__l10n_cr_state_index'))
        self.assertFalse(index_exists(cr, 'account_move__l10n_cr_einvoice_state_index'))
        self.assertNotIn('l10n_cr_einvoice_email_to', template.email_to)
        self.assertIn('commercial_partner_id.l10n_cr_email_to', template.email_to)
        self.assertIn('name="action_l10n_cr_received"', view.arch_db,
                      "a button of a view the update validates before reloading it")
        self.assertNotIn('action_l10n_cr_einvoice_received', view.arch_db)
        partner = self.env['res.partner'].create({'name': 'Cliente', 'email': 'cliente@example.com'})
        move = self.env['account.move'].create({'move_type': 'out_invoice', 'partner_id': partner.id})
        self.assertEqual(template._render_field('email_to', move.ids)[move.id], 'cliente@example.com',
                         "the template still renders")
