"""Sums kept up to date as rows change, so that the dashboard's graph and pivot, the
declared-taxes pivot and /metrics read a few thousand rows whatever the history holds.

A summary sums the rows of a source table per combination of dimensions (company, day, state,
document type...). Statement-level triggers on the source append every change to a log as
signed deltas: the old rows counted out, the new ones counted in. Appending takes no lock
another transaction could wait for -- updating shared totals would queue every posting of the
day behind the same row, and could deadlock two transactions moving documents between states.
A cron folds the log into the totals; readers add both, so a summary is exact at any moment,
whatever changed the source (the ORM or plain SQL).

``_l10n_cr_rebuild`` recounts everything from the source: the installation and the migration
backfill with it once, and the tests compare the incremental totals with a recount."""

from odoo import api, models
from odoo.tools import SQL


class L10nCrEinvoiceSummary(models.AbstractModel):
    _name = 'l10n_cr.einvoice.summary'
    _description = 'E-invoicing summary (totals kept up to date by triggers)'

    # Each summary is a model with ``_auto = False`` that sets:
    _l10n_cr_source_model = ''  # the model whose rows are summed
    _l10n_cr_dimensions = ()  # fields grouped by: the source's columns of the same names
    _l10n_cr_sums = {}  # summed field -> SQL expression over the source row ``r``
    _l10n_cr_count = ''  # the summed field counting source rows: a combination without rows is no group
    # The date dimension, kept per month (its first day): a pivot over years reads a few hundred
    # rows. Days and weeks, or a range that cuts a month, are read from the rows instead.
    _l10n_cr_month = ''

    # -- names of the database objects ------------------------------------------------------

    def _l10n_cr_objects(self):
        table = self._table
        return {
            'source': self.env[self._l10n_cr_source_model]._table,
            'total': f'{table}_total',  # folded sums, one row per combination
            'delta': f'{table}_delta',  # the log the triggers append to
            'function': f'{table}_log',
            'triggers': {event: f'{table}_{event.lower()}' for event in ('INSERT', 'UPDATE', 'DELETE')},
        }

    def _l10n_cr_columns(self):
        return [*self._l10n_cr_dimensions, *self._l10n_cr_sums]

    @api.model
    def _l10n_cr_constants(self):
        """field -> SQL expression of the columns the reading query adds (not stored)."""
        return {}

    # -- reading ----------------------------------------------------------------------------

    @property
    def _table_query(self):
        names = self._l10n_cr_objects()
        dims = SQL(', ').join(SQL.identifier(d) for d in self._l10n_cr_dimensions)
        # each sum of the column's own type, as the rows' (a sum of integers is an integer)
        sums = SQL(', ').join(SQL('sum(%s)::%s AS %s', SQL.identifier(s), SQL(self._fields[s].column_type[1]),
                                  SQL.identifier(s)) for s in self._l10n_cr_sums)
        columns = SQL(', ').join(SQL.identifier(c) for c in self._l10n_cr_columns())
        constants = [SQL('%s AS %s', expression, SQL.identifier(name))
                     for name, expression in self._l10n_cr_constants().items()]
        return SQL(
            """SELECT min(u.id) AS id, %(dims)s, %(sums)s%(constants)s
                 FROM (SELECT id, %(columns)s FROM %(total)s
                       UNION ALL SELECT -id, %(columns)s FROM %(delta)s) AS u
             GROUP BY %(dims)s
               HAVING sum(%(count)s) <> 0""",
            dims=dims, sums=sums, columns=columns, count=SQL.identifier(self._l10n_cr_count),
            constants=SQL(', ').join([SQL(''), *constants]) if constants else SQL(''),
            total=SQL.identifier(names['total']), delta=SQL.identifier(names['delta']))

    def _search(self, domain, *args, **kwargs):
        # Writes to the source still in the ORM's cache reach the triggers first.
        self.env[self._l10n_cr_source_model].flush_model()
        return super()._search(domain, *args, **kwargs)

    # -- the tables, the log and its triggers -----------------------------------------------

    def init(self):
        if not self._l10n_cr_source_model:
            return
        names = self._l10n_cr_objects()
        columns = SQL(', ').join(SQL('%s %s', SQL.identifier(name), SQL(self._fields[name].column_type[1]))
                                 for name in self._l10n_cr_columns())
        dims = SQL(', ').join(SQL.identifier(d) for d in self._l10n_cr_dimensions)
        for table in (names['total'], names['delta']):
            self.env.cr.execute(SQL("CREATE TABLE IF NOT EXISTS %s (id bigserial PRIMARY KEY, %s)",
                                    SQL.identifier(table), columns))
        # One total per combination; an empty dimension (no error kind) is a value like any other.
        self.env.cr.execute(SQL("CREATE UNIQUE INDEX IF NOT EXISTS %s ON %s (%s) NULLS NOT DISTINCT",
                                SQL.identifier(f"{names['total']}_key"), SQL.identifier(names['total']), dims))
        self.env.cr.execute(self._l10n_cr_trigger_function())
        for event, trigger in names['triggers'].items():
            transition = {
                'INSERT': 'REFERENCING NEW TABLE AS new_rows',
                'UPDATE': 'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows',
                'DELETE': 'REFERENCING OLD TABLE AS old_rows',
            }[event]
            self.env.cr.execute(SQL(
                "CREATE OR REPLACE TRIGGER %s AFTER %s ON %s %s FOR EACH STATEMENT EXECUTE FUNCTION %s()",
                SQL.identifier(trigger), SQL(event), SQL.identifier(names['source']), SQL(transition),
                SQL.identifier(names['function'])))

    def _l10n_cr_dimension_sql(self, name):
        if name == self._l10n_cr_month:
            return SQL("date_trunc('month', r.%s)::date AS %s", SQL.identifier(name), SQL.identifier(name))
        return SQL('r.%s', SQL.identifier(name))

    def _l10n_cr_grouped_sums(self, rows, sign):
        """SELECT dimensions, sums of the source rows in ``rows`` (a table of them), times ``sign``."""
        return SQL(
            "SELECT %(dims)s, %(sums)s FROM %(rows)s AS r GROUP BY %(positions)s",
            positions=SQL(', ').join(SQL(str(i + 1)) for i in range(len(self._l10n_cr_dimensions))),
            dims=SQL(', ').join(self._l10n_cr_dimension_sql(d) for d in self._l10n_cr_dimensions),
            sums=SQL(', ').join(SQL('%s * sum(%s) AS %s', SQL(sign), SQL(expression), SQL.identifier(name))
                                for name, expression in self._l10n_cr_sums.items()),
            rows=SQL(rows))

    def _l10n_cr_trigger_function(self):
        names = self._l10n_cr_objects()
        columns = SQL(', ').join(SQL.identifier(c) for c in self._l10n_cr_columns())
        dims = SQL(', ').join(SQL.identifier(d) for d in self._l10n_cr_dimensions)
        sums = SQL(', ').join(SQL('sum(%s)', SQL.identifier(s)) for s in self._l10n_cr_sums)
        changed = SQL(' OR ').join(SQL('sum(%s) <> 0', SQL.identifier(s)) for s in self._l10n_cr_sums)
        insert = SQL("INSERT INTO %s (%s)", SQL.identifier(names['delta']), columns)
        # An UPDATE logs the difference per combination: nothing when no summed value moved.
        body = SQL(
            """
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    %(insert)s %(new)s;
                ELSIF TG_OP = 'DELETE' THEN
                    %(insert)s %(old)s;
                ELSE
                    %(insert)s SELECT %(dims)s, %(sums)s FROM (%(old)s UNION ALL %(new)s) AS c
                    GROUP BY %(dims)s HAVING %(changed)s;
                END IF;
                RETURN NULL;
            END
            """,
            insert=insert, new=self._l10n_cr_grouped_sums('new_rows', '1'),
            old=self._l10n_cr_grouped_sums('old_rows', '-1'), dims=dims, sums=sums, changed=changed)
        # The body is a string constant of CREATE FUNCTION: written out, not passed as a parameter.
        return SQL("CREATE OR REPLACE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS %s",
                   SQL.identifier(names['function']), SQL('$body$%s$body$', body))

    @api.model
    def _l10n_cr_drop(self):
        """Remove the triggers, their function and the tables (uninstallation)."""
        names = self._l10n_cr_objects()
        for trigger in names['triggers'].values():
            self.env.cr.execute(SQL("DROP TRIGGER IF EXISTS %s ON %s", SQL.identifier(trigger),
                                    SQL.identifier(names['source'])))
        self.env.cr.execute(SQL("DROP FUNCTION IF EXISTS %s()", SQL.identifier(names['function'])))
        for table in (names['total'], names['delta']):
            self.env.cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(table)))

    # -- folding and recounting -------------------------------------------------------------

    @api.model
    def _l10n_cr_summary_models(self):
        registry = self.env.registry
        return [self.env[name] for name in registry.descendants([self._name], '_inherit')
                if not registry[name]._abstract]

    @api.model
    def _cron_l10n_cr_fold(self):
        """Fold each summary's log into its totals."""
        return {summary._name: summary._l10n_cr_fold() for summary in self._l10n_cr_summary_models()}

    def _l10n_cr_fold(self):
        """Move the log's rows into the totals (one statement: a reader sees them in either, never
        both) and drop the combinations left without rows. Returns the rows folded."""
        names = self._l10n_cr_objects()
        columns = SQL(', ').join(SQL.identifier(c) for c in self._l10n_cr_columns())
        dims = SQL(', ').join(SQL.identifier(d) for d in self._l10n_cr_dimensions)
        sums = SQL(', ').join(SQL('sum(%s)', SQL.identifier(s)) for s in self._l10n_cr_sums)
        added = SQL(', ').join(SQL('%(s)s = t.%(s)s + EXCLUDED.%(s)s', s=SQL.identifier(s)) for s in self._l10n_cr_sums)
        [(moved,)] = self.env.execute_query(SQL(
            """WITH moved AS (DELETE FROM %(delta)s RETURNING %(columns)s),
                    folded AS (INSERT INTO %(total)s AS t (%(columns)s)
                               SELECT %(dims)s, %(sums)s FROM moved GROUP BY %(dims)s
                               ON CONFLICT (%(dims)s) DO UPDATE SET %(added)s)
               SELECT count(*) FROM moved""",
            delta=SQL.identifier(names['delta']), total=SQL.identifier(names['total']), columns=columns,
            dims=dims, sums=sums, added=added))
        self.env.cr.execute(SQL("DELETE FROM %s WHERE %s = 0", SQL.identifier(names['total']),
                                SQL.identifier(self._l10n_cr_count)))
        return moved

    def _l10n_cr_recount_query(self):
        """The summary computed from the source's rows as they are now."""
        names = self._l10n_cr_objects()
        return self._l10n_cr_grouped_sums(f'"{names["source"]}"', '1')

    def _l10n_cr_rebuild(self):
        """Replace the totals and the log by a recount of the source. The source is locked
        against writers meanwhile, so no change is both recounted and logged."""
        names = self._l10n_cr_objects()
        self.env.flush_all()
        self.env.cr.execute(SQL("LOCK TABLE %s IN SHARE MODE", SQL.identifier(names['source'])))
        for table in (names['delta'], names['total']):
            self.env.cr.execute(SQL("DELETE FROM %s", SQL.identifier(table)))
        self.env.cr.execute(SQL("INSERT INTO %s (%s) %s", SQL.identifier(names['total']),
                                SQL(', ').join(SQL.identifier(c) for c in self._l10n_cr_columns()),
                                self._l10n_cr_recount_query()))
        combinations = self.env.cr.rowcount
        self.env.cr.execute(SQL("DELETE FROM %s WHERE %s = 0", SQL.identifier(names['total']),
                                SQL.identifier(self._l10n_cr_count)))
        return combinations - self.env.cr.rowcount
