from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.translate import LazyTranslate

from hacienda_cr.identification import NUMBER_RULES

_lt = LazyTranslate(__name__)

POS_DOCUMENT_TYPES = ('01', '03', '04')  # Factura, Nota de Crédito, Tiquete
# Minutes between a sale and the arrival of its paid order beyond which the till is taken to have
# been offline (its document then says situación 3, sin internet). A till online syncs in seconds;
# a few minutes leave room for a slow network or a retried request.
DEFAULT_OFFLINE_DELAY = 5
MAX_OFFLINE_DELAY = 24 * 60

# The identification types a cashier can capture at the till (06, "no contribuyente", is a
# choice of the taxpayer's own records, not something a customer shows). The number rules are
# the library's; only their wording is kept here, so that it can be translated.
CAPTURED_ID_TYPES = {
    '01': _lt("9 digits, not starting with 0 (e.g. 101230456)"),
    '02': _lt("10 digits (e.g. 3101123456)"),
    '03': _lt("11 or 12 digits, not starting with 0"),
    '04': _lt("10 digits"),
    '05': _lt("1 to 20 letters or digits"),
}


class PosConfig(models.Model):
    _inherit = 'pos.config'

    l10n_cr_establishment = fields.Integer(
        string='Establishment (sucursal)', default=1,
        help='Hacienda establishment number (1-999) of this point of sale: the first three digits of '
             'the consecutivo of its tickets, invoices and credit notes.')
    l10n_cr_terminal = fields.Integer(
        string='Terminal', default=1,
        help='Terminal number (1-99999) of this point of sale within its establishment. Each '
             'establishment and terminal numbers its documents on its own, without gaps; points of sale '
             'sharing a terminal share its numbering.')
    l10n_cr_offline_delay = fields.Integer(
        string='Offline after (minutes)', default=DEFAULT_OFFLINE_DELAY,
        help='A paid order reaching the server more than this many minutes after its sale is taken as sold while '
             'the till could not reach the server: its electronic document, dated at the sale, is issued in '
             'situación 3 (sin internet). Orders that arrive sooner are issued in situación 1 (normal).')
    l10n_cr_enabled = fields.Boolean(related='company_id.l10n_cr_enabled')

    @api.constrains('l10n_cr_establishment', 'l10n_cr_terminal')
    def _check_l10n_cr_numbering(self):
        for config in self:
            if not 1 <= config.l10n_cr_establishment <= 999:
                raise ValidationError(self.env._(
                    "%s: the establishment must be a number from 1 to 999.", config.name))
            if not 1 <= config.l10n_cr_terminal <= 99999:
                raise ValidationError(self.env._(
                    "%s: the terminal must be a number from 1 to 99999.", config.name))

    @api.constrains('l10n_cr_offline_delay')
    def _check_l10n_cr_offline_delay(self):
        for config in self:
            if not 1 <= config.l10n_cr_offline_delay <= MAX_OFFLINE_DELAY:
                raise ValidationError(self.env._(
                    "%(pos)s: the offline delay must be a number of minutes from 1 to %(max)s.",
                    pos=config.name, max=MAX_OFFLINE_DELAY))

    def _check_before_creating_new_session(self):
        """A till that cannot issue documents would leave every sale without one: refuse to open it."""
        result = super()._check_before_creating_new_session()
        company = self.company_id
        if company.l10n_cr_enabled:
            Document = self.env['l10n_cr.einvoice.document']
            problems = company._l10n_cr_configuration_problems('04')
            if problems:
                raise UserError(Document._l10n_cr_problems_text(
                    self.env._("%(pos)s cannot be opened: electronic invoicing is not fully configured for "
                               "%(company)s:", pos=self.name, company=company.name), problems))
            company._l10n_cr_signing_key()
            self._l10n_cr_prepare_numbering()
        return result

    def _l10n_cr_prepare_numbering(self):
        """Create the terminal's numberings when its session opens, so that the first sales of two
        sessions sharing the terminal only wait for each other's number instead of both creating it."""
        Numbering = self.env['l10n_cr.einvoice.numbering']
        for document_type in POS_DOCUMENT_TYPES:
            Numbering._l10n_cr_get(self.company_id, self.l10n_cr_establishment, self.l10n_cr_terminal, document_type)

    @api.model
    def _load_pos_data_read(self, records, config):
        data = super()._load_pos_data_read(records, config)
        if data and config.l10n_cr_enabled:
            codes = self.env['l10n_cr.einvoice.code']
            data[0]['_l10n_cr_id_types'] = [
                {
                    'code': code,
                    'name': codes._l10n_cr_get('identification_types', code).name or code,
                    'pattern': NUMBER_RULES[code][0].pattern,
                    'rule': rule._translate(self.env.lang),
                }
                for code, rule in CAPTURED_ID_TYPES.items()
            ]
        return data
