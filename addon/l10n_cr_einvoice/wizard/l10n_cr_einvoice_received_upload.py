from odoo import api, fields, models
from odoo.exceptions import UserError


class L10nCrEinvoiceReceivedUpload(models.TransientModel):
    """Import suppliers' signed XML files: each becomes a vendor bill and a supplier document,
    or is refused with its reason."""

    _name = 'l10n_cr.einvoice.received.upload'
    _description = 'Import supplier electronic documents (Costa Rica)'

    attachment_ids = fields.Many2many('ir.attachment', string='Signed XML files', required=True)
    company_id = fields.Many2one('res.company', required=True, default=lambda self: self.env.company)
    journal_id = fields.Many2one(
        'account.journal', string='Purchase journal', check_company=True,
        domain="[('type', '=', 'purchase'), ('company_id', '=', company_id)]",
        default=lambda self: self._l10n_cr_default_journal(),
        help='Where the vendor bills are created (empty: the first purchase journal).')

    @api.model
    def _l10n_cr_default_journal(self):
        return self.env['account.journal'].search(
            [*self.env['account.journal']._check_company_domain(self.env.company), ('type', '=', 'purchase')], limit=1)

    def action_l10n_cr_import(self):
        """Import every file on its own: one refused file does not stop the others."""
        self.ensure_one()
        Received = self.env['l10n_cr.einvoice.received']
        imported, refused = Received, []
        for attachment in self.attachment_ids:
            try:
                with self.env.cr.savepoint():
                    imported |= Received._l10n_cr_import(
                        attachment.raw, company=self.company_id, journal=self.journal_id, filename=attachment.name)
            except UserError as exc:
                refused.append(exc.args[0])
        self.attachment_ids.unlink()  # the documents keep their own copies
        if refused and not imported:
            raise UserError('\n\n'.join(refused))
        title = self.env._("Imported supplier documents")
        action = {
            'type': 'ir.actions.act_window',
            'name': title,
            'res_model': 'l10n_cr.einvoice.received',
            'domain': [('id', 'in', imported.ids)],
            'views': [(False, 'list'), (False, 'form')],
            'context': {'create': False},
        }
        if len(imported) == 1 and not refused:
            action.update({'res_id': imported.id, 'views': [(False, 'form')]})
        if not refused:
            return action
        return {
            'type': 'ir.actions.client',
            'tag': 'display_notification',
            'params': {
                'type': 'warning',
                'sticky': True,
                'title': self.env._("%(imported)s imported, %(refused)s refused",
                                    imported=len(imported), refused=len(refused)),
                'message': '\n\n'.join(refused),
                'next': action,
            },
        }
