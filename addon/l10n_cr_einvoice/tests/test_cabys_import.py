import base64

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from .common import shared_dir


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestCabysImport(TransactionCase):
    """The BCCR's CABYS workbook, as a user downloads it, imported into a searchable model."""

    def import_file(self, content, filename='Catalogo-CABYS.xlsx'):
        wizard = self.env['l10n_cr.cabys.import'].create({'file': base64.b64encode(content), 'filename': filename})
        wizard.action_l10n_cr_import()
        return wizard

    def test_import_the_official_workbook(self):
        content = (shared_dir() / 'catalogs' / 'Catalogo-CABYS-vigente.xlsx').read_bytes()
        Cabys = self.env['l10n_cr.cabys']
        before = Cabys.search_count([])  # other tests' entries may exist already
        wizard = self.import_file(content)
        count = Cabys.search_count([])
        self.assertGreater(count, 20000)
        self.assertGreater(wizard.created_count, 20000)
        self.assertEqual(wizard.created_count + wizard.updated_count, count - before + wizard.updated_count)
        wheat = Cabys.search([('code', '=', '0111100000100')])
        self.assertEqual(wheat.name, 'Trigo duro, para siembra (semillas)')
        self.assertEqual(wheat.tax_rate, 1.0)
        self.assertIn('Productos de la agricultura', wheat.category)
        found = Cabys.name_search('para siembra (semillas), excepto duro')
        self.assertIn('0111100009900', [Cabys.browse(r[0]).code for r in found])
        self.assertEqual(Cabys.name_search('0111100000100')[0][0], wheat.id, "searchable by code")
        # Importing the same file again changes nothing.
        again = self.import_file(content)
        self.assertEqual((again.created_count, again.updated_count), (0, 0))
        self.assertEqual(Cabys.search_count([]), count)

    def test_not_a_workbook(self):
        with self.assertRaisesRegex(UserError, 'not an Excel workbook'):
            self.import_file(b'codigo,descripcion\n123,abc\n', 'cabys.csv')
