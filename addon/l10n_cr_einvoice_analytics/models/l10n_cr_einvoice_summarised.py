"""Graphs and pivots answered from a summary (see summary.py) instead of every row.

A model with a summary (the dashboard's documents, the declared taxes) keeps its rows for lists
and forms; its read_group -- what graphs, pivots and grouped lists call -- goes to the summary
when the summary can answer exactly: the domain, the record rules, the groupings and the order
name only the summary's dimensions, and each aggregate is one of its sums (or, for an average,
two of them). Anything else (group by partner, a filter on the reason...) reads the rows as
before: slower on a long history, never wrong."""

import re
from datetime import date, timedelta

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.models import parse_read_group_spec

# Groupings of the summaries' monthly date that whole months make up.
MONTHS_AND_MORE = ('month', 'quarter', 'year')
# Aggregates of a dimension that duplicated rows cannot change.
DIMENSION_AGGREGATES = ('min', 'max', 'count_distinct', 'array_agg_distinct', 'bool_and', 'bool_or')
SUM_AGGREGATES = ('sum', 'sum_currency')
ORDER_PART = re.compile(r'\s*(?P<term>[\w:]+)(?P<rest>(\s+(asc|desc))?(\s+nulls\s+(first|last))?)\s*', re.IGNORECASE)


def whole_months(condition):
    """Whether a condition on a date selects whole months (from a first day, up to a last day):
    what the search view's date filter writes, and what a monthly summary can answer."""
    if condition.operator not in ('>=', '<', '<=', '>') or not condition.value:
        return False
    try:
        day = fields.Date.to_date(condition.value)
    except (TypeError, ValueError):
        return False
    if not isinstance(day, date):
        return False
    if condition.operator in ('>=', '<'):
        return day.day == 1
    return (day + timedelta(days=1)).day == 1


class L10nCrEinvoiceSummarised(models.AbstractModel):
    _name = 'l10n_cr.einvoice.summarised'
    _description = 'E-invoicing: grouped reads answered from a summary'

    _l10n_cr_summary = ''  # the summary model (same field names for dimensions and sums)

    @api.model
    def _l10n_cr_derived_aggregates(self):
        """{aggregate: (the summary's aggregates, function of their values)} for aggregates a
        summary holds as parts, such as an average as a sum and a count."""
        return {}

    @api.model
    def _l10n_cr_summary_request(self, domain, groupings, aggregates, order):
        """How the summary answers, or None when it cannot: (summary, domain, aggregates,
        order, finish(row, number of groupbys))."""
        if not self._l10n_cr_summary:
            return None
        self.browse().check_access('read')
        summary = self.env[self._l10n_cr_summary].sudo()
        dimensions = set(summary._l10n_cr_dimensions) | set(summary._l10n_cr_constants())
        # Rows the user may not read must not be counted: the record rules join the domain.
        full = Domain(domain) & self.env['ir.rule']._compute_domain(self._name, 'read')
        for condition in full.iter_conditions():
            fname = condition.field_expr.split('.')[0]
            if fname not in dimensions or (fname == summary._l10n_cr_month and not whole_months(condition)):
                return None
        for groupby in groupings:
            for spec in groupby:
                fname, property_name, granularity = parse_read_group_spec(spec)
                if property_name or fname not in dimensions or (
                        fname == summary._l10n_cr_month and granularity not in MONTHS_AND_MORE):
                    return None
        needed = []

        def need(spec):
            if spec not in needed:
                needed.append(spec)
            return needed.index(spec)

        derived = self._l10n_cr_derived_aggregates()
        steps = []
        for spec in aggregates:
            if spec == '__count':
                steps.append((None, [need(f'{summary._l10n_cr_count}:sum')]))
                continue
            if spec in derived:
                parts, function = derived[spec]
                steps.append((function, [need(part) for part in parts]))
                continue
            fname, property_name, func = parse_read_group_spec(spec)
            # (the monthly date holds first days: its min, max or distinct days are not the rows')
            if property_name or not (
                (fname in summary._l10n_cr_sums and func in SUM_AGGREGATES)
                or (fname in dimensions and fname != summary._l10n_cr_month and func in DIMENSION_AGGREGATES)
            ):
                return None
            steps.append((None, [need(spec)]))
        summary_order = None
        if order:
            terms = []
            for part in order.split(','):
                match = ORDER_PART.fullmatch(part)
                if not match:
                    return None
                term = match['term']
                if term == '__count':
                    term = f'{summary._l10n_cr_count}:sum'
                elif term not in needed and parse_read_group_spec(term)[0] not in dimensions:
                    return None
                terms.append(term + match['rest'])
            summary_order = ', '.join(terms)

        def finish(row, width):
            groups = tuple(value.with_env(self.env) if isinstance(value, models.BaseModel) else value
                           for value in row[:width])
            values = row[width:]
            return groups + tuple(
                # computed from parts: None (no answered document...) becomes the aggregate's empty value
                next(self._read_group_postprocess_aggregate(spec, [function(*(values[i] for i in indexes))]))
                if function else values[indexes[0]]
                for spec, (function, indexes) in zip(aggregates, steps, strict=True))

        return summary, full, needed, summary_order, finish

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        request = None if having else self._l10n_cr_summary_request(domain, [groupby], aggregates, order)
        if request is None:
            return super()._read_group(domain, groupby, aggregates, having=having, offset=offset, limit=limit,
                                       order=order)
        summary, summary_domain, summary_aggregates, summary_order, finish = request
        rows = summary._read_group(summary_domain, groupby, summary_aggregates, offset=offset, limit=limit,
                                   order=summary_order)
        return [finish(row, len(groupby)) for row in rows]

    @api.model
    def _read_grouping_sets(self, domain, grouping_sets, aggregates=(), order=None):
        request = self._l10n_cr_summary_request(domain, grouping_sets, aggregates, order)
        if request is None:
            return super()._read_grouping_sets(domain, grouping_sets, aggregates, order=order)
        summary, summary_domain, summary_aggregates, summary_order, finish = request
        results = summary._read_grouping_sets(summary_domain, grouping_sets, summary_aggregates, order=summary_order)
        return [[finish(row, len(groupby)) for row in rows] for groupby, rows in zip(grouping_sets, results, strict=True)]
