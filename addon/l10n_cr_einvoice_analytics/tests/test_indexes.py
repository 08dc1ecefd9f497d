import ast

from lxml import etree
from odoo.addons.l10n_cr_einvoice.tests.history import TERMINAL, grow_documents, plan
from odoo.tests import tagged

from .common import AnalyticsCommon

DOCUMENTS = 'Seq Scan on l10n_cr_einvoice_document'


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestIndexes(AnalyticsCommon):
    """On a long history the lists read the newest documents and the problems through indexes,
    never every document."""

    def setUp(self):
        super().setUp()
        grow_documents(self.env, self.company, 20000)
        # The columns of this module the rows were added without (as the ORM computes them).
        self.env.cr.execute("""
            UPDATE l10n_cr_einvoice_document
               SET issue_day = (issue_date - interval '6 hours')::date, direction = 'sale',
                   needs_correction = (state = 'rejected')
             WHERE terminal = %s""", [TERMINAL])
        self.env.cr.execute("ANALYZE l10n_cr_einvoice_document")
        self.Analysis = self.env['l10n_cr.einvoice.analysis']

    def filter_domain(self, name):
        search = self.Analysis.get_view(view_type='search')['arch']
        node = next(n for n in etree.fromstring(search).iter('filter') if n.get('name') == name)
        return ast.literal_eval(node.get('domain'))

    def test_dashboard_list_first_page(self):
        explained = plan(self.env, self.Analysis._search([], limit=80, order=self.Analysis._order))
        self.assertIn('Index Scan Backward using l10n_cr_einvoice_document_issue_date_idx', explained, explained)
        self.assertNotIn(DOCUMENTS, explained, explained)

    def test_needs_attention_list(self):
        domain = self.filter_domain('attention')
        explained = plan(self.env, self.Analysis._search(domain, limit=80, order=self.Analysis._order))
        self.assertNotIn(DOCUMENTS, explained, explained)
        self.assertIn('l10n_cr_einvoice_document_attention_idx', explained, explained)
        rows = self.Analysis.search(domain)
        self.assertEqual(len(rows), self.env['l10n_cr.einvoice.document'].search_count(
            ['|', '|', ('stuck', '=', True), ('needs_correction', '=', True), ('state', '=', 'error')]))
        self.assertGreater(len(rows), 400)

    def test_uncorrected_documents_of_the_metrics(self):
        Document = self.env['l10n_cr.einvoice.document']
        explained = plan(self.env, Document._search(Document._l10n_cr_needs_correction_domain()))
        self.assertIn('l10n_cr_einvoice_document_attention_idx', explained, explained)
