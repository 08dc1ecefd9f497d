from odoo.addons.l10n_cr_einvoice.tests.common import assert_every_term_translated
from odoo.tests import TransactionCase, tagged

MODULE = 'l10n_cr_einvoice_analytics'


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestTranslations(TransactionCase):
    """Every term the module shows has its es_CR translation, and none is left over."""

    def test_every_term_is_translated(self):
        assert_every_term_translated(self, MODULE, at_least=100)

    def test_spanish_interface(self):
        self.env['res.lang']._activate_lang('es_CR')
        self.env['ir.module.module']._load_module_terms([MODULE], ['es_CR'], overwrite=True)
        env = self.env(context={'lang': 'es_CR'})
        self.assertEqual(env.ref(f'{MODULE}.action_l10n_cr_einvoice_analysis').name,
                         'Tablero de facturación electrónica')
        fields = env['l10n_cr.einvoice.analysis']._fields
        self.assertEqual(fields['acceptance_rate'].get_description(env)['string'], 'Tasa de aceptación (%)')
