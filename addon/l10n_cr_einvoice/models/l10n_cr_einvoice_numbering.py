import psycopg2.errors
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .document_types import ALL_DOCUMENT_TYPE_SELECTION

MAX_NUMBER = 9_999_999_999  # the consecutivo's 10 digits


class L10nCrEinvoiceNumbering(models.Model):
    """The gap-free numbering of one document type at one establishment and terminal.

    Hacienda's consecutivo is establishment (3) · terminal (5) · document type (2) · number
    (10); each combination counts on its own, without gaps. A document takes its number in the
    issuing transaction the way Odoo numbers journal entries (``sequence.mixin``'s locked
    increment): it writes the next consecutivo on its own row, and the unique index on
    (company, consecutivo) serialises two transactions wanting the same number — the second
    waits for the first, then takes the following number (or the same one, when the first rolled
    back: no gap). Nothing shared is updated, so concurrent postings never fail on a locked
    counter (``ir.sequence``'s ``FOR UPDATE NOWAIT``) nor on a counter another transaction changed
    after their snapshot (a serialization failure at REPEATABLE READ): no request is run again
    for its number."""

    _name = 'l10n_cr.einvoice.numbering'
    _description = 'Electronic document numbering (Costa Rica)'
    _order = 'company_id, establishment, terminal, document_type'
    _check_company_auto = True

    company_id = fields.Many2one('res.company', required=True, readonly=True, index=True)
    establishment = fields.Integer(required=True, readonly=True)
    terminal = fields.Integer(required=True, readonly=True)
    document_type = fields.Selection(ALL_DOCUMENT_TYPE_SELECTION, required=True, readonly=True)
    first_number = fields.Integer(
        string='First number', default=1, required=True, readonly=True,
        help='The lowest number documents issued here take (the numbers below it were used by another system).')
    number_next = fields.Integer(
        string='Next number', compute='_compute_number_next', inverse='_inverse_number_next',
        help='The number the next document will take. Change it only when moving from another system.')

    _numbering_uniq = models.Constraint(
        'UNIQUE(company_id, establishment, terminal, document_type)',
        'There is already a numbering for this establishment, terminal and document type.')

    @api.depends('establishment', 'terminal', 'document_type')
    def _compute_display_name(self):
        types = dict(ALL_DOCUMENT_TYPE_SELECTION)
        for numbering in self:
            numbering.display_name = (
                f"{numbering.establishment:03d}-{numbering.terminal:05d} "
                f"{types.get(numbering.document_type, '')}")

    @api.depends('first_number')
    def _compute_number_next(self):
        for numbering in self:
            numbering.number_next = max(numbering._l10n_cr_last_number() + 1, numbering.first_number)

    def _inverse_number_next(self):
        for numbering in self:
            last = numbering._l10n_cr_last_number()
            if numbering.number_next <= last:
                raise UserError(self.env._(
                    "%(numbering)s has already issued number %(last)s: the next number cannot be lower than "
                    "%(next)s.", numbering=numbering.display_name, last=last, next=last + 1))
            numbering.first_number = numbering.number_next

    def _l10n_cr_prefix(self):
        """The consecutivo without its number: establishment, terminal, document type."""
        self.ensure_one()
        return f"{self.establishment:03d}{self.terminal:05d}{self.document_type}"

    def _l10n_cr_last_number(self):
        """The highest number used (0: none): in this transaction's view (its own documents
        included), or committed by another transaction since this one began — read through a
        transaction begun now, so that a posting that waited for another one's number asks for
        the following number at once instead of meeting the taken one in the unique index (a
        duplicate-key error in PostgreSQL's log). The unique index has the last word anyway."""
        self.ensure_one()
        prefix = self._l10n_cr_prefix()
        # A range on the (company_id, consecutivo) unique index: read backwards, one row.
        query = SQL(
            """SELECT max(consecutivo) FROM l10n_cr_einvoice_document
                WHERE company_id = %s AND consecutivo BETWEEN %s AND %s""",
            self.company_id.id, prefix + '0' * 10, prefix + '9' * 10)
        self.env['l10n_cr.einvoice.document'].flush_model(['company_id', 'consecutivo'])
        [[own]] = self.env.execute_query(query)
        with self.env.registry.cursor() as cr:
            cr.execute(query)
            [[latest]] = cr.fetchall()
        last = max((c for c in (own, latest) if c), default=None)
        return int(last[-10:]) if last else 0

    @api.model
    def _l10n_cr_get(self, company, establishment, terminal, document_type):
        """The numbering of this combination, created on first use.

        Two transactions may post the first document of a new combination at the same time.
        The row is inserted with ``ON CONFLICT DO NOTHING``: the second insert waits for the
        first transaction, and once that one commits PostgreSQL (at Odoo's REPEATABLE READ)
        raises a serialization failure, which Odoo answers by running the request again, when
        the numbering is there to be found. A plain insert would fail with a unique violation
        instead, which Odoo does not retry. (Once per combination: the POS creates its
        terminal's numberings when a session opens.)"""
        key = [('company_id', '=', company.id), ('establishment', '=', establishment),
               ('terminal', '=', terminal), ('document_type', '=', document_type)]
        numbering = self.sudo().search(key, limit=1)
        if numbering:
            return numbering
        uid = self.env.uid
        self.env.cr.execute(SQL(
            """INSERT INTO %s (company_id, establishment, terminal, document_type, first_number,
                               create_uid, create_date, write_uid, write_date)
               VALUES (%s, %s, %s, %s, 1, %s, now() at time zone 'UTC', %s, now() at time zone 'UTC')
               ON CONFLICT (company_id, establishment, terminal, document_type) DO NOTHING
               RETURNING id""",
            SQL.identifier(self._table), company.id, establishment, terminal, document_type, uid, uid),
            # Odoo runs the request again and logs that itself: not an error of this query.
            log_exceptions=False)
        row = self.env.cr.fetchone()
        if row:
            return self.sudo().browse(row[0])
        # Only reached when the conflicting row is visible to this transaction after all.
        return self.sudo().search(key, limit=1)

    def _l10n_cr_assign_number(self, document):
        """Give ``document`` (a row of this numbering, inserted by this transaction) the next
        number and its consecutivo; returns the number."""
        self.ensure_one()
        document.ensure_one()
        prefix = self._l10n_cr_prefix()
        number = max(self._l10n_cr_last_number() + 1, self.first_number)
        document.flush_recordset()
        with self.env.cr.savepoint(flush=False) as savepoint:
            while True:
                if number > MAX_NUMBER:
                    raise UserError(self.env._(
                        "The numbering %s has run out of numbers (the consecutivo has 10 digits).",
                        self.display_name))
                try:
                    # Writing the consecutivo takes the unique index entry: a transaction that
                    # has it (not committed yet) makes this one wait for its outcome.
                    self.env.cr.execute(SQL(
                        "UPDATE l10n_cr_einvoice_document SET number = %s, consecutivo = %s WHERE id = %s",
                        number, f"{prefix}{number:010d}", document.id), log_exceptions=False)
                    break
                except psycopg2.errors.UniqueViolation:
                    # Taken by a transaction that committed after this one's snapshot: the next one.
                    savepoint.rollback()
                    number += 1
        document.invalidate_recordset(['number', 'consecutivo'])
        self.invalidate_recordset(['number_next'])
        return number
