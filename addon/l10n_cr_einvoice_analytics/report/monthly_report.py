from odoo import api, models


class ReportMonthly(models.AbstractModel):
    _name = 'report.l10n_cr_einvoice_analytics.report_monthly'
    _description = 'Monthly e-invoicing report (PDF)'

    @api.model
    def _get_report_values(self, docids, data=None):
        wizards = self.env['l10n_cr.einvoice.monthly.report'].browse(docids)
        return {
            'doc_ids': docids,
            'doc_model': 'l10n_cr.einvoice.monthly.report',
            'docs': wizards,
            'reports': [wizard._l10n_cr_report_data() for wizard in wizards],
        }
