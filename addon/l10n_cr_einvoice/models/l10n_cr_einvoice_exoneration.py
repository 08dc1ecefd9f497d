from odoo import api, fields, models
from odoo.exceptions import ValidationError

# Document types whose Exoneracion names the article of the law (annex p. 45), and the types
# Hacienda no longer takes except in credit and debit notes (p. 74).
ARTICLE_TYPES = ('02', '03', '06', '07', '08')
NOTES_ONLY_TYPES = ('01', '05', '06', '07')
NOTES = ('02', '03')


class L10nCrEinvoiceExoneration(models.Model):
    """A customer's VAT exoneration document (autorización de exoneración), as Hacienda's
    Exoneracion element needs it."""

    _name = 'l10n_cr.einvoice.exoneration'
    _description = 'VAT exoneration (Costa Rica)'
    _order = 'date_to desc, id desc'

    partner_id = fields.Many2one('res.partner', string='Customer', required=True, index=True, ondelete='cascade')
    document_type_id = fields.Many2one(
        'l10n_cr.einvoice.code', string='Document type', required=True,
        domain=[('list_name', '=', 'exemption_types')])
    document_type_code = fields.Char(related='document_type_id.code', string='Document type code')
    document_type_other = fields.Char(string='Other document type', help='Required when the type is 99 (others).')
    number = fields.Char(string='Document number', required=True, help='NumeroDocumento, e.g. AL-00012345-26.')
    article = fields.Integer(help='Article of the law (only for some document types).')
    subsection = fields.Integer(string='Subsection (inciso)')
    institution_id = fields.Many2one(
        'l10n_cr.einvoice.code', required=True,
        domain=[('list_name', '=', 'exemption_institutions')])
    institution_code = fields.Char(related='institution_id.code', string='Institution code')
    institution_other = fields.Char(string='Other institution', help='Required when the institution is 99 (others).')
    issue_date = fields.Date(string='Issued on', required=True)
    date_from = fields.Date(string='Valid from')
    date_to = fields.Date(string='Valid until')
    rate = fields.Float(
        string='Exonerated rate (%)', required=True, digits=(5, 2),
        help='TarifaExonerada: the VAT percentage points the document exonerates (13 = all of the general rate).')
    active = fields.Boolean(default=True)

    @api.constrains('rate', 'number', 'document_type_id', 'document_type_other', 'institution_id', 'institution_other')
    def _check_exoneration(self):
        for exo in self:
            if not 0 < exo.rate <= 13:
                raise ValidationError(self.env._("The exonerated rate must be above 0 and at most 13 (percentage points)."))
            if not 3 <= len(exo.number or '') <= 40:
                raise ValidationError(self.env._("The exoneration document number has 3 to 40 characters."))
            if exo.document_type_id.code == '99' and len(exo.document_type_other or '') < 5:
                raise ValidationError(self.env._("Describe the document type (at least 5 characters) when it is 99."))
            if exo.institution_id.code == '99' and len(exo.institution_other or '') < 5:
                raise ValidationError(self.env._("Name the institution (at least 5 characters) when it is 99."))
            if exo.document_type_id.code in ARTICLE_TYPES and not exo.article:
                raise ValidationError(self.env._(
                    "An exoneration of type %s names the article of the law that grants it (Article).",
                    exo.document_type_id.code))

    def _l10n_cr_check_for(self, doc_type, where, problems):
        """What Hacienda refuses in this exoneration on a document of ``doc_type`` (existing records
        may predate the checks above)."""
        self.ensure_one()
        code = self.document_type_id.code
        if code in ARTICLE_TYPES and not self.article:
            problems.append(self.env._(
                "%(where)s: the exoneration %(number)s (type %(type)s) needs the article of the law that grants it: "
                "set its \"Article\".", where=where, number=self.number, type=code))
        if code in NOTES_ONLY_TYPES and doc_type not in NOTES:
            problems.append(self.env._(
                "%(where)s: the exoneration %(number)s is of type %(type)s, which Hacienda no longer accepts except "
                "in credit and debit notes.", where=where, number=self.number, type=code))

    @api.depends('number', 'rate')
    def _compute_display_name(self):
        for exo in self:
            exo.display_name = f"{exo.number} ({exo.rate:g}%)"

    def _l10n_cr_values(self, tax_rate):
        """Hacienda's Exoneracion for a tax of ``tax_rate`` percent (MontoExoneracion is derived)."""
        self.ensure_one()
        values = {
            'TipoDocumentoEX1': self.document_type_id.code,
            'NumeroDocumento': self.number,
            'NombreInstitucion': self.institution_id.code,
            'FechaEmisionEX': fields.Date.to_string(self.issue_date) + 'T00:00:00',
            'TarifaExonerada': f"{min(self.rate, tax_rate):.2f}",
        }
        if self.document_type_id.code == '99':
            values['TipoDocumentoOTRO'] = self.document_type_other
        if self.article:
            values['Articulo'] = self.article
        if self.subsection:
            values['Inciso'] = self.subsection
        if self.institution_id.code == '99':
            values['NombreInstitucionOtros'] = self.institution_other
        return values
