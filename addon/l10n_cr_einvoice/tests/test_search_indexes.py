from unittest.mock import patch

from odoo.sql_db import Cursor
from odoo.tests import tagged
from odoo.tools import SQL

from .common import L10nCrEinvoiceCommon
from .history import TERMINAL, grow_documents, grow_invoices, plan


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestSearchIndexes(L10nCrEinvoiceCommon):
    """A document found by its number or clave: the documents ``ilike`` on the name, the clave
    and the consecutivo finds, through indexes however long the history."""

    def setUp(self):
        super().setUp()
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 450000)])
        self.document = move.l10n_cr_document_id

    def ilike(self, text):
        return self.Document.search(['|', '|', ('name', 'ilike', text), ('clave', 'ilike', text),
                                     ('consecutivo', 'ilike', text)])

    def test_whole_numbers_exactly_and_parts_of_the_name(self):
        doc = self.document
        # what ilike on the name, the clave and the consecutivo found
        for text in (doc.clave, doc.consecutivo, doc.consecutivo[-6:], doc.name, 'FE 001', '99999999999999999999'):
            found = self.Document.search([('display_name', 'ilike', text)])
            self.assertEqual(found, self.ilike(text), text)
        self.assertEqual(self.Document.search([('display_name', 'ilike', doc.clave)]), doc)
        other_clave = doc.clave[:-1] + ('1' if doc.clave[-1] == '0' else '0')
        self.assertFalse(self.Document.search([('display_name', 'ilike', other_clave)]))
        # pasted with spaces around it, a whole clave is still found
        self.assertEqual(self.Document.search([('display_name', 'ilike', f' {doc.clave} ')]), doc)
        self.assertEqual([r[0] for r in self.Document.name_search(doc.consecutivo)], [doc.id])
        # a part of the clave outside its consecutivo (here the cédula) is not looked for
        self.assertIn(doc, self.ilike(doc.clave[9:21]))
        self.assertFalse(self.Document.search([('display_name', 'ilike', doc.clave[9:21])]))

    def test_indexes_serve_the_search_on_a_long_history(self):
        self.assertTrue(self.env.registry.has_trigram, "Odoo creates its databases with pg_trgm; so do both stacks")
        grow_documents(self.env, self.company, 20000)
        doc = self.Document.search([('terminal', '=', TERMINAL), ('number', '=', 12345)])
        cases = {
            doc.clave: 'l10n_cr_einvoice_document__clave_index',
            doc.clave.lower(): 'l10n_cr_einvoice_document__clave_index',
            doc.consecutivo: 'l10n_cr_einvoice_document__consecutivo_index',
            '40000012345': 'l10n_cr_einvoice_document__name_index',
        }
        for text, index in cases.items():
            explained = plan(self.env, self.Document._search([('display_name', 'ilike', text)],
                                                             order=self.Document._order))
            self.assertIn(index, explained, f"{text}:\n{explained}")
            self.assertNotIn('Seq Scan on l10n_cr_einvoice_document', explained, f"{text}:\n{explained}")
        self.assertEqual(self.Document.search([('display_name', 'ilike', doc.clave)]), doc)
        self.assertEqual(self.Document.search([('display_name', 'ilike', doc.consecutivo)]), doc)
        self.assertEqual(self.Document.search([('display_name', 'ilike', '40000012345')]), doc)
        self.assertEqual(len(self.Document.search([('display_name', 'ilike', 'TE 001000990400000123')])), 100)

    def test_replacements_are_looked_up_by_index(self):
        grow_documents(self.env, self.company, 20000)
        explained = plan(self.env, self.Document._search([('replaced_document_id', '=', self.document.id)]))
        self.assertIn('l10n_cr_einvoice_document__replaced_document_id_index', explained)

    def test_invoice_list_duplicate_check_by_index(self):
        """The customer invoices list asks account for possible duplicates of every invoice of
        the page (same company, type, partner, invoice date and total): an index, not a pass
        over every move of the history."""
        move = self.document.move_id
        grow_invoices(self.env, move, 20000)
        page = self.env['account.move'].search([('name', '=like', f'{move.name}-%')], limit=80)
        self.assertEqual(len(page), 80)
        queries = []
        execute = Cursor.execute

        def spy(cr, query, params=None, log_exceptions=True):
            if 'duplicate_move' in str(getattr(query, 'code', query)):
                queries.append(query)
            return execute(cr, query, params, log_exceptions)

        with patch.object(Cursor, 'execute', spy):
            page._fetch_duplicate_reference()
        self.assertEqual(len(queries), 1)
        explained = plan(self.env, queries[0] if isinstance(queries[0], SQL) else SQL(queries[0]))
        self.assertIn('account_move_l10n_cr_duplicate_sales_idx', explained, explained)
        self.assertNotIn('Seq Scan on account_move', explained, explained)
