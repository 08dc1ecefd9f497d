from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_open
from odoo.tools.translate import PoFileReader, TranslationModuleReader

MODULE = 'l10n_cr_einvoice_analytics'


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestTranslations(TransactionCase):
    """Every term the module shows has its es_CR translation, and none is left over."""

    def test_every_term_is_translated(self):
        terms = {row[4] for row in TranslationModuleReader(self.env.cr, modules=[MODULE]) if row[0] == MODULE}
        self.assertGreater(len(terms), 100)
        with file_open(f'{MODULE}/i18n/es_CR.po', 'rb') as po:
            translated = {entry['src']: entry['value'] for entry in PoFileReader(po)}
        missing = sorted(t for t in terms if not translated.get(t))
        self.assertFalse(missing, f"terms without a Spanish translation: {missing[:10]}")
        stale = sorted(set(translated) - terms)
        self.assertFalse(stale, f"translations of terms the module no longer has: {stale[:10]}")

    def test_spanish_interface(self):
        self.env['res.lang']._activate_lang('es_CR')
        self.env['ir.module.module']._load_module_terms([MODULE], ['es_CR'], overwrite=True)
        env = self.env(context={'lang': 'es_CR'})
        self.assertEqual(env.ref(f'{MODULE}.action_l10n_cr_einvoice_analysis').name,
                         'Tablero de facturación electrónica')
        fields = env['l10n_cr.einvoice.analysis']._fields
        self.assertEqual(fields['acceptance_rate'].get_description(env)['string'], 'Tasa de aceptación (%)')
