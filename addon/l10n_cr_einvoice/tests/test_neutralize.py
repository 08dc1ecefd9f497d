from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import TransactionCase, tagged

CREDENTIALS = {
    'l10n_cr_username': 'cpj-3-101-123456@prod.comprobanteselectronicos.go.cr',
    'l10n_cr_password': 'secreto',
    'l10n_cr_api_url': 'https://api.comprobanteselectronicos.go.cr/recepcion/v1/',
    'l10n_cr_idp_url': 'https://idp.comprobanteselectronicos.go.cr',
}


@tagged('post_install', '-at_install')
class TestNeutralize(TransactionCase):
    """A copy of a production database (Odoo's neutralization) talks to no Hacienda with the
    taxpayer's credentials; a company already on the simulator keeps its staging settings."""

    def test_copy_leaves_production(self):
        companies = self.env['res.company'].sudo()
        production = companies.create({'name': 'Producción', 'l10n_cr_environment': 'production', **CREDENTIALS})
        sandbox = companies.create({'name': 'Pruebas', 'l10n_cr_environment': 'sandbox', **CREDENTIALS})
        simulated = companies.create({
            'name': 'Simulador', 'l10n_cr_environment': 'simulator',
            'l10n_cr_username': 'demo', 'l10n_cr_password': 'demo',
            'l10n_cr_api_url': 'http://127.0.0.1:8090/recepcion/v1/'})

        queries = list(get_neutralization_queries(['l10n_cr_einvoice']))
        self.assertEqual(len(queries), 1, "Odoo finds data/neutralize.sql")
        self.env.flush_all()
        self.env.cr.execute(queries[0])
        self.env.invalidate_all()

        for company in production | sandbox:
            self.assertEqual(company.l10n_cr_environment, 'sandbox', company.name)
            for field in CREDENTIALS:
                self.assertFalse(company[field], f'{company.name}: {field}')
        self.assertEqual(simulated.l10n_cr_environment, 'simulator')
        self.assertEqual(simulated.l10n_cr_username, 'demo')
        self.assertEqual(simulated.l10n_cr_api_url, 'http://127.0.0.1:8090/recepcion/v1/')
