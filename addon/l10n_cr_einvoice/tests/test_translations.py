from odoo.tests import TransactionCase, tagged

from .common import assert_every_term_translated

MODULE = 'l10n_cr_einvoice'


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestTranslations(TransactionCase):
    """Users work in Spanish: every term the module shows has its es_CR translation."""

    def test_every_term_is_translated(self):
        assert_every_term_translated(self, MODULE, at_least=400)

    def test_spanish_interface(self):
        self.env['res.lang']._activate_lang('es_CR')
        self.env['ir.module.module']._load_module_terms([MODULE], ['es_CR'], overwrite=True)
        env = self.env(context={'lang': 'es_CR'})
        self.assertEqual(env['l10n_cr.einvoice.document']._fields['state'].get_description(env)['string'], 'Estado')
        states = dict(env['l10n_cr.einvoice.document']._fields['state']._description_selection(env))
        self.assertEqual(states['to_send'], 'Por enviar')
        self.assertEqual(states['accepted'], 'Aceptado')
        types = dict(env['l10n_cr.einvoice.document']._fields['document_type']._description_selection(env))
        self.assertEqual(types['01'], 'Factura Electrónica (01)')
        self.assertEqual(env._("Hacienda: pending"), 'Hacienda: pendientes')
        menu = env.ref('l10n_cr_einvoice.menu_l10n_cr_einvoice_documents')
        self.assertEqual(menu.name, 'Comprobantes electrónicos (Hacienda)')
