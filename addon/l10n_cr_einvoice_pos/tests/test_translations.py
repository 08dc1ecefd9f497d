from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_open
from odoo.tools.translate import PoFileReader, TranslationModuleReader

MODULE = 'l10n_cr_einvoice_pos'


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestPosTranslations(TransactionCase):
    """Cashiers work in Spanish: every term of the module (Python, views, the till's JavaScript and
    templates) has its es_CR translation, and the file keeps no term the module dropped."""

    def test_every_term_is_translated(self):
        terms = {row[4] for row in TranslationModuleReader(self.env.cr, modules=[MODULE]) if row[0] == MODULE}
        self.assertGreater(len(terms), 100)
        with file_open(f'{MODULE}/i18n/es_CR.po', 'rb') as po:
            translated = {entry['src']: entry['value'] for entry in PoFileReader(po)}
        missing = sorted(t for t in terms if not translated.get(t))
        self.assertFalse(missing, f"terms without a Spanish translation: {missing[:10]}")
        stale = sorted(set(translated) - terms)
        self.assertFalse(stale, f"translations of terms the module no longer has: {stale[:10]}")
