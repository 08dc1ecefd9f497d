import importlib.util

from odoo.tests import TransactionCase, tagged

from hacienda_cr.codes import code_list

from .common import ADDON_DIR, REPO_DIR, shared_dir


def load_generator():
    """tools/gen_addon_codes.py of the repository this addon lives in."""
    path = REPO_DIR / 'tools' / 'gen_addon_codes.py'
    spec = importlib.util.spec_from_file_location('gen_addon_codes', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestCodeData(TransactionCase):
    """The code lists shipped as data are exactly the library's (themselves the XSD's), and
    the data files are what the committed generator writes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.generator = load_generator()

    def test_records_match_the_library(self):
        Code = self.env['l10n_cr.einvoice.code'].with_context(active_test=False)
        for list_name in self.generator.ADDON_LISTS:
            expected = code_list(list_name, 'v4.4-2026')
            records = Code.search([('list_name', '=', list_name)])
            self.assertEqual(sorted(records.mapped('code')), sorted(expected), list_name)
            old = code_list(list_name, 'v4.4')
            for record in records:
                self.assertEqual(record.name, ' '.join(expected[record.code].split()), f"{list_name} {record.code}")
                self.assertEqual(record.since_2026, record.code not in old, f"{list_name} {record.code}")
        self.assertEqual(set(Code.search([]).mapped('list_name')), set(self.generator.ADDON_LISTS))
        selection = dict(Code._fields['list_name'].selection)
        self.assertEqual(set(selection), set(self.generator.ADDON_LISTS))

    def test_code_data_file_is_current(self):
        committed = (ADDON_DIR / 'data' / 'l10n_cr_einvoice_code_data.xml').read_text(encoding='utf-8')
        self.assertEqual(committed, self.generator.render_codes(), "run tools/gen_addon_codes.py")

    def test_activity_data_file_is_current(self):
        catalogue = shared_dir() / 'catalogs' / 'economic.activity.csv'
        committed = (ADDON_DIR / 'data' / 'l10n_cr_economic_activity_data.xml').read_text(encoding='utf-8')
        self.assertEqual(committed, self.generator.render_activities(catalogue), "run tools/gen_addon_codes.py")
        activity = self.env.ref('l10n_cr_einvoice.activity_6201_0')
        self.assertIn('722003', activity.legacy_codes)
        found = self.env['l10n_cr.economic.activity'].name_search('722003')
        self.assertIn(activity.id, [r[0] for r in found], "former codes are searchable")

    def test_units_of_measure_are_mapped(self):
        self.assertEqual(self.env.ref('uom.product_uom_unit').l10n_cr_unit_id.code, 'Unid')
        self.assertEqual(self.env.ref('uom.product_uom_kgm').l10n_cr_unit_id.code, 'Kg')
        self.assertEqual(self.env.ref('uom.product_uom_hour').l10n_cr_unit_id.code, 'h')
