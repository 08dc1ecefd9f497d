from odoo.addons.l10n_cr_einvoice.tests.common import assert_every_term_translated
from odoo.tests import TransactionCase, tagged

MODULE = 'l10n_cr_einvoice_pos'


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestPosTranslations(TransactionCase):
    """Cashiers work in Spanish: every term of the module (Python, views, the till's JavaScript and
    templates) has its es_CR translation, and the file keeps no term the module dropped."""

    def test_every_term_is_translated(self):
        assert_every_term_translated(self, MODULE, at_least=100)
