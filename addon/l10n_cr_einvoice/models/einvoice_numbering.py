from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .document_types import ALL_DOCUMENT_TYPE_SELECTION


class L10nCrEinvoiceNumbering(models.Model):
    """The gap-free numbering of one document type at one establishment and terminal.

    Hacienda's consecutivo is establishment (3) · terminal (5) · document type (2) · number
    (10); each combination counts on its own, without gaps. The number is taken from a
    ``no_gap`` sequence in the posting transaction, so a posting that fails gives it back."""

    _name = 'l10n_cr.einvoice.numbering'
    _description = 'Electronic document numbering (Costa Rica)'
    _order = 'company_id, establishment, terminal, document_type'
    _check_company_auto = True

    company_id = fields.Many2one('res.company', required=True, readonly=True, index=True)
    establishment = fields.Integer(required=True, readonly=True)
    terminal = fields.Integer(required=True, readonly=True)
    document_type = fields.Selection(ALL_DOCUMENT_TYPE_SELECTION, required=True, readonly=True)
    sequence_id = fields.Many2one('ir.sequence', required=True, readonly=True, ondelete='restrict')
    number_next = fields.Integer(
        string='Next number', related='sequence_id.number_next_actual', readonly=False,
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

    @api.model
    def _l10n_cr_get(self, company, establishment, terminal, document_type):
        """The numbering of this combination, created on first use.

        Two transactions may post the first document of a new combination at the same time.
        The row is inserted with ``ON CONFLICT DO NOTHING``: the second insert waits for the
        first transaction, and once that one commits PostgreSQL (at Odoo's REPEATABLE READ)
        raises a serialization failure, which Odoo answers by running the request again, when
        the numbering is there to be found. A plain insert would fail with a unique violation
        instead, which Odoo does not retry."""
        key = [('company_id', '=', company.id), ('establishment', '=', establishment),
               ('terminal', '=', terminal), ('document_type', '=', document_type)]
        numbering = self.sudo().search(key, limit=1)
        if numbering:
            return numbering
        sequence = self.env['ir.sequence'].sudo().create({
            'name': f"Hacienda {company.name} {establishment:03d}-{terminal:05d}-{document_type}",
            'code': f'l10n_cr_einvoice.{document_type}',
            'implementation': 'no_gap',
            'company_id': company.id,
            'padding': 0,
            'number_increment': 1,
            'number_next': 1,
        })
        self.env.flush_all()
        uid = self.env.uid
        self.env.cr.execute(SQL(
            """INSERT INTO %s (company_id, establishment, terminal, document_type, sequence_id,
                               create_uid, create_date, write_uid, write_date)
               VALUES (%s, %s, %s, %s, %s, %s, now() at time zone 'UTC', %s, now() at time zone 'UTC')
               ON CONFLICT (company_id, establishment, terminal, document_type) DO NOTHING
               RETURNING id""",
            SQL.identifier(self._table), company.id, establishment, terminal, document_type, sequence.id, uid, uid))
        row = self.env.cr.fetchone()
        if row:
            return self.sudo().browse(row[0])
        # Only reached when the conflicting row is visible to this transaction after all.
        sequence.unlink()
        return self.sudo().search(key, limit=1)

    def _l10n_cr_reserve(self):
        """Take the next number (row-locked until the transaction ends)."""
        self.ensure_one()
        number = int(self.sequence_id.sudo()._next())
        if number > 9_999_999_999:
            raise UserError(self.env._(
                "The numbering %s has run out of numbers (the consecutivo has 10 digits).", self.display_name))
        return number
