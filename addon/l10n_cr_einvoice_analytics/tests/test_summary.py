from datetime import timedelta
from unittest.mock import patch

from odoo import Command
from odoo.modules.module import load_script
from odoo.tests import tagged
from odoo.tools import SQL

from ..models.l10n_cr_einvoice_summarised import L10nCrEinvoiceSummarised
from .common import AnalyticsCommon

MODULE = 'l10n_cr_einvoice_analytics'


def normalised(rows):
    """Rows as comparable tuples: floats and decimals rounded, records as ids."""
    def value(v):
        if hasattr(v, '_name'):
            return (v._name, tuple(v.ids))
        if isinstance(v, list):
            return tuple(sorted(v))
        if v is not None and not isinstance(v, (str, bool)) and hasattr(v, '__float__') and not isinstance(v, int):
            return round(float(v), 4)
        return v
    return sorted((tuple(value(v) for v in row) for row in rows), key=repr)


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestSummary(AnalyticsCommon):
    """The monthly summaries kept by triggers against a recount of their sources, through every
    change a document goes through; graphs and pivots answered from them as from the rows."""

    def setUp(self):
        super().setUp()
        self.Analysis = self.env['l10n_cr.einvoice.analysis']
        self.Breakdown = self.env['l10n_cr.einvoice.tax.breakdown']
        self.summaries = self.env['l10n_cr.einvoice.summary']._l10n_cr_summary_models()
        self.accepted = self.issue(self.partner_cr, [(self.product_laptop, 1, 450000)])
        self.ticket = self.issue(self.partner_anonymous, [(self.product_coffee, 3, 4000)])
        self.rejected = self.issue_rejected(self.partner_cr, [(self.product_service, 4, 25000)])

    # -- helpers ----------------------------------------------------------------------------

    def current(self, summary):
        """The summary as readers see it (folded totals plus the log)."""
        summary.flush_model()
        self.env[summary._l10n_cr_source_model].flush_model()
        columns = SQL(', ').join(SQL.identifier(c) for c in summary._l10n_cr_columns())
        return normalised(self.env.execute_query(SQL("SELECT %s FROM (%s) AS q", columns, summary._table_query)))

    def recount(self, summary):
        count = list(summary._l10n_cr_sums).index(summary._l10n_cr_count) + len(summary._l10n_cr_dimensions)
        rows = self.env.execute_query(summary._l10n_cr_recount_query())
        return normalised(row for row in rows if row[count])

    def assertExact(self, step):
        for summary in self.summaries:
            self.assertEqual(self.current(summary), self.recount(summary), f"{summary._name} after {step}")

    def by_state(self):
        mine = [('company_id', '=', self.company.id)]
        summary = dict(self.Analysis._read_group(mine, ['state'], ['__count']))
        rows = dict(self.env['l10n_cr.einvoice.document']._read_group(mine, ['state'], ['__count']))
        self.assertEqual(summary, rows)
        return summary

    def log_rows(self, summary):
        table = summary._l10n_cr_objects()['delta']
        return self.env.execute_query(SQL("SELECT count(*) FROM %s", SQL.identifier(table)))[0][0]

    # -- the summaries follow every change ---------------------------------------------------

    def test_every_state_change_is_counted(self):
        self.assertExact("issuing, acceptance and rejection")
        self.assertEqual(self.by_state(), {'accepted': 2, 'rejected': 1})

        move = self.make_invoice(self.partner_cr, [(self.product_service, 1, 25000)])
        waiting = move.l10n_cr_document_id
        self.assertExact("posting (to send)")
        self.assertEqual(self.by_state()['to_send'], 1)

        waiting._l10n_cr_set_error('data', 'Falta el correo del receptor')
        self.assertExact("an error")
        self.assertEqual(self.by_state()['error'], 1)
        waiting._l10n_cr_requeue()
        self.process_queue()
        self.assertExact("sending and acceptance")
        self.assertEqual(self.by_state(), {'accepted': 3, 'rejected': 1})

        # The rejected invoice corrected: a new document replaces it.
        self.rejected.move_id.button_draft()
        self.rejected.move_id.action_post()
        self.process_queue()
        self.assertExact("the correction")
        self.assertEqual(self.by_state(), {'accepted': 4, 'rejected': 1})

        note = self.credit_note(self.accepted.move_id)
        self.assertLess(note.declared_amount_total_crc, 0)
        self.assertExact("a credit note (negative amounts)")

        # A document never sent can be deleted; plain SQL is seen as well as the ORM.
        draft = self.make_invoice(self.partner_cr, [(self.product_coffee, 1, 4000)]).l10n_cr_document_id
        self.assertExact("posting again")
        draft.sudo().unlink()
        self.env.cr.execute("UPDATE l10n_cr_einvoice_document SET state = 'error', error_kind = 'internal'"
                            " WHERE id = %s", [self.ticket.id])
        self.ticket.invalidate_recordset()
        self.assertExact("a deletion and an SQL update")
        self.assertEqual(self.by_state()['error'], 1)

    def test_folding_keeps_the_figures(self):
        self.make_invoice(self.partner_cr, [(self.product_service, 1, 25000)])
        before = {s._name: self.current(s) for s in self.summaries}
        self.assertTrue(all(self.log_rows(s) for s in self.summaries), "the changes are logged")
        folded = self.env['l10n_cr.einvoice.summary']._cron_l10n_cr_fold()
        self.assertTrue(all(folded.values()), folded)
        for summary in self.summaries:
            self.assertEqual(self.log_rows(summary), 0, "the log is emptied into the totals")
            self.assertEqual(self.current(summary), before[summary._name])
        self.assertExact("folding")
        # Moving documents between states leaves no empty combination behind once folded.
        self.process_queue()
        self.env['l10n_cr.einvoice.summary']._cron_l10n_cr_fold()
        total = self.summaries[0]._l10n_cr_objects()['total']
        [(empty,)] = self.env.execute_query(SQL("SELECT count(*) FROM %s WHERE document_count = 0",
                                                SQL.identifier(total)))
        self.assertEqual(empty, 0)
        self.assertExact("sending and folding again")

    def test_rebuild_is_a_recount(self):
        self.env['l10n_cr.einvoice.summary']._cron_l10n_cr_fold()
        for summary in self.summaries:
            before = self.current(summary)
            table = summary._l10n_cr_objects()['total']
            self.env.cr.execute(SQL("DELETE FROM %s", SQL.identifier(table)))
            self.assertNotEqual(self.current(summary), before)
            self.assertTrue(summary._l10n_cr_rebuild())
            self.assertEqual(self.current(summary), before)
            self.assertEqual(self.log_rows(summary), 0)

    # -- graphs and pivots read the summary ---------------------------------------------------

    def rows_path(self, model, *args, **kwargs):
        return super(L10nCrEinvoiceSummarised, model)._read_group(*args, **kwargs)

    def assertSameAnswer(self, model, domain, groupby, aggregates, used=True, user=None):
        model = model.with_user(user) if user else model
        summary_class = type(self.env[model._l10n_cr_summary])
        with patch.object(summary_class, '_read_group', autospec=True,
                          side_effect=summary_class._read_group) as summary_read:
            answer = model._read_group(domain, groupby, aggregates)
        self.assertEqual(summary_read.called, used, f"summary used for {groupby} {aggregates} {domain}")
        self.assertEqual(normalised(answer), normalised(self.rows_path(model, domain, groupby, aggregates)))
        return answer

    def test_analysis_reads_from_the_summary(self):
        self.make_invoice(self.partner_cr, [(self.product_service, 2, 25000)])  # to send: no answer yet
        pivot = ['__count', 'document_count:sum', 'acceptance_rate:avg', 'hours_to_answer:avg',
                 'amount_untaxed_crc:sum', 'amount_tax_crc:sum', 'crc_currency_id:array_agg_distinct',
                 'amount_tax_crc:sum_currency']
        self.assertSameAnswer(self.Analysis, [], ['issue_day:month', 'state'], pivot)
        self.assertSameAnswer(self.Analysis, [], [], pivot)
        rows = self.assertSameAnswer(self.Analysis, [('direction', '=', 'sale'), ('state', '!=', 'to_send')],
                                     ['document_type'], ['acceptance_rate:avg', 'accepted_count:sum'])
        self.assertEqual(round(dict((t, r) for t, r, _n in rows)['01'], 2), 50.0)
        self.assertSameAnswer(self.Analysis, [('issue_day', '>=', '2000-01-01')], ['company_id', 'error_kind'],
                              ['rejected_count:sum'])
        # Whole months, as the search view's date filter selects them
        month = self.accepted.issue_day.replace(day=1)
        month_end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        self.assertSameAnswer(self.Analysis, [('issue_day', '>=', month), ('issue_day', '<=', month_end)],
                              ['issue_day:year', 'state'], ['__count'])
        # What the summary does not hold is read from the rows: days, part of a month, partners...
        self.assertSameAnswer(self.Analysis, [], ['issue_day:day'], ['__count'], used=False)
        self.assertSameAnswer(self.Analysis, [('issue_day', '>=', month + timedelta(days=1))], ['state'],
                              ['__count'], used=False)
        self.assertSameAnswer(self.Analysis, [], ['partner_id'], ['__count'], used=False)
        self.assertSameAnswer(self.Analysis, [('stuck', '=', False)], ['state'], ['__count'], used=False)
        self.assertSameAnswer(self.Analysis, [], ['state'], ['amount_total_crc:max'], used=False)
        self.assertSameAnswer(self.Analysis, [], ['state'], ['issue_day:max', 'issue_day:count_distinct'], used=False)
        # The pivot's own call (several groupings at once)
        sets = [[], ['issue_day:month'], ['state'], ['issue_day:month', 'state']]
        self.assertEqual(
            [normalised(rows) for rows in self.Analysis._read_grouping_sets([], sets, pivot)],
            [normalised(self.rows_path(self.Analysis, [], groupby, pivot)) for groupby in sets])

    def test_record_rules_apply(self):
        """A user of one company counts none of another's documents through the summary."""
        other = self.env['res.company'].create({'name': 'Otra Empresa S.A.'})
        self.env.cr.execute("UPDATE l10n_cr_einvoice_document SET company_id = %s WHERE id = %s",
                            [other.id, self.ticket.id])
        self.env.cr.execute("UPDATE l10n_cr_einvoice_tax_breakdown SET company_id = %s WHERE document_id = %s",
                            [other.id, self.ticket.id])
        self.env.invalidate_all()
        user = self.env['res.users'].create({
            'name': 'Facturadora', 'login': 'facturadora-summary', 'company_id': self.company.id,
            'company_ids': [Command.set(self.company.ids)],
            'group_ids': [Command.set([self.env.ref('account.group_account_invoice').id,
                                       self.env.ref('base.group_user').id])],
        })
        rows = self.assertSameAnswer(self.Analysis, [], ['company_id'], ['__count'], user=user)
        self.assertEqual([(company.id, count) for company, count in rows], [(self.company.id, 2)])
        rows = self.assertSameAnswer(self.Breakdown, [], ['company_id'], ['base_amount_crc:sum'], user=user)
        self.assertEqual([company.id for company, _amount in rows], [self.company.id])

    def test_declared_taxes_read_from_the_summary(self):
        self.credit_note(self.accepted.move_id)
        pivot = ['__count', 'base_amount_crc:sum', 'net_tax_amount_crc:sum', 'crc_currency_id:array_agg_distinct',
                 'net_tax_amount_crc:sum_currency', 'base_amount:sum_currency', 'currency_id:array_agg_distinct']
        for groupby in (['tax_label', 'issue_day:month'], ['direction', 'document_type', 'rate'], []):
            self.assertSameAnswer(self.Breakdown, [('direction', '=', 'sale')], groupby, pivot)
        self.assertSameAnswer(self.Breakdown, [], ['partner_id'], ['base_amount_crc:sum'], used=False)
        self.assertSameAnswer(self.Breakdown, [('document_id.state', '=', 'accepted')], ['tax_label'],
                              ['base_amount_crc:sum'], used=False)

    def test_monthly_report_reads_the_summaries(self):
        wizard = self.env['l10n_cr.einvoice.monthly.report'].create({
            'company_id': self.company.id, 'month': str(self.accepted.issue_day.month),
            'year': self.accepted.issue_day.year})
        used = []
        for name in ('l10n_cr.einvoice.analysis.summary', 'l10n_cr.einvoice.tax.summary'):
            summary_class = type(self.env[name])
            used.append(self.enterContext(patch.object(summary_class, '_read_group', autospec=True,
                                                       side_effect=summary_class._read_group)))
        data = wizard._l10n_cr_report_data()
        self.assertTrue(all(mock.called for mock in used))
        self.assertEqual({(r['document_type'], r['count']) for r in data['issued_types']}, {('01', 1), ('04', 1)})
        self.assertEqual(data['not_accepted'], [('Rejected', 1)])

    # -- installation, migration, uninstallation ----------------------------------------------

    def test_migration_counts_history_once(self):
        self.rejected.move_id.button_cancel()
        uncorrected = self.issue_rejected(self.partner_cr, [(self.product_laptop, 1, 450000)])
        self.env.flush_all()
        # 1.0 had neither the stored flag nor the summaries; an upgrade from it runs every
        # pre-migration (1.1 adds the flag, 1.2 renames it), then every post-migration.
        self.env.cr.execute("ALTER TABLE l10n_cr_einvoice_document DROP COLUMN needs_correction")
        for summary in self.summaries:
            for table in ('total', 'delta'):
                self.env.cr.execute(SQL("DELETE FROM %s", SQL.identifier(summary._l10n_cr_objects()[table])))
        for version, script in (('1.1', 'pre-migrate'), ('1.2', 'pre-migrate'), ('1.1', 'post-migrate')):
            load_script(f'{MODULE}/migrations/19.0.{version}.0/{script}.py', script).migrate(self.env.cr, '19.0.1.0.0')
        self.env.invalidate_all()
        flagged = self.env['l10n_cr.einvoice.document'].search([('needs_correction', '=', True)])
        self.assertEqual(flagged, uncorrected, "the cancelled invoice's rejection needs no correction")
        self.assertExact("the migration")

    def test_uninstall_removes_triggers_and_tables(self):
        objects = [summary._l10n_cr_objects() for summary in self.summaries]
        for summary in self.summaries:
            summary._l10n_cr_drop()
        for names in objects:
            [(triggers,)] = self.env.execute_query(SQL(
                "SELECT count(*) FROM pg_trigger WHERE tgname IN %s", tuple(names['triggers'].values())))
            self.assertEqual(triggers, 0)
            for table in ('total', 'delta'):
                [(left,)] = self.env.execute_query(SQL("SELECT to_regclass(%s)", names[table]))
                self.assertIsNone(left)
            [(function,)] = self.env.execute_query(SQL("SELECT count(*) FROM pg_proc WHERE proname = %s",
                                                       names['function']))
            self.assertEqual(function, 0)
        # The documents can still change.
        self.accepted.sudo().email_sent = False
        self.env.flush_all()
