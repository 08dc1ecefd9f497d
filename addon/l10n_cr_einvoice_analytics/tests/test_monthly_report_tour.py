from odoo.tests import tagged

from .common import AnalyticsHttpCommon


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestMonthlyReportTour(AnalyticsHttpCommon):

    def test_year_reads_as_a_year(self):
        """The wizard's year is not formatted as a number ("2,026")."""
        self.start_tour('/odoo/action-l10n_cr_einvoice_analytics.action_l10n_cr_einvoice_monthly_report',
                        'l10n_cr_einvoice_analytics_monthly_report', login=self.env.user.login)
