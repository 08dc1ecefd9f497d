import logging
from datetime import timedelta

from odoo import api, fields, models

from hacienda_cr import costa_rica_time
from hacienda_cr.errors import InputError
from hacienda_cr.public_data import NotFound, ServiceUnavailable

from ..hacienda import public_data

_logger = logging.getLogger(__name__)

# Hacienda republishes the BCCR reference rates of these currencies (annex p. 50: a dollar
# document carries the BCCR's selling reference rate; another currency its rate in colones).
CURRENCIES = ('USD', 'EUR')
SOURCE_HACIENDA = 'hacienda'
RETRY_AFTER = timedelta(hours=1)


class ResCurrencyRate(models.Model):
    """The BCCR reference rates stored as Odoo rates for the Costa Rican companies, each
    marked with its source, by a daily cron and, when a foreign-currency invoice is posted
    for a day without one, by the posting."""

    _inherit = 'res.currency.rate'

    l10n_cr_source = fields.Selection(
        [(SOURCE_HACIENDA, "BCCR reference rate (Hacienda)")], string='Source', readonly=True, copy=False,
        help='Where the rate came from. Empty: typed by hand or loaded by another module.')

    @api.model
    def _l10n_cr_companies(self):
        return self.env['res.company'].search([('currency_id.name', '=', 'CRC')]).filtered(
            lambda company: company.country_id.code == 'CR')

    @api.model
    def _l10n_cr_currencies(self):
        """The active currencies Hacienda publishes a rate for."""
        return self.env['res.currency'].search([('name', 'in', CURRENCIES)])

    @api.model
    def _cron_l10n_cr_update_rates(self):
        """Store the latest BCCR reference rates for every Costa Rican company. Tried again in
        an hour while the service is unavailable or has not published today's rate yet."""
        today = costa_rica_time.now().date()
        currencies = self._l10n_cr_currencies()
        retry = False
        for company in self._l10n_cr_companies():
            try:
                # Fresh: an answer cached this morning would hide a rate published since.
                rates = company._l10n_cr_public_data().exchange_rates(fresh=True)
            except (ServiceUnavailable, NotFound) as exc:
                _logger.warning("exchange rates for %s not updated: %s", company.name, exc)
                retry = True
                continue
            for currency in currencies:
                rate = rates.get(currency.name)
                if rate is not None:
                    self._l10n_cr_store(company, currency, rate)
                    retry |= rate.date < today
        if retry:
            cron = self.env.ref('l10n_cr_einvoice.ir_cron_l10n_cr_exchange_rates', raise_if_not_found=False)
            if cron:
                cron._trigger(fields.Datetime.now() + RETRY_AFTER)

    @api.model
    def _l10n_cr_store(self, company, currency, rate):
        """Store Hacienda's ``rate`` (an ExchangeRate) for ``company``; a rate someone typed for
        that day stays as it is. Returns the record holding the day's rate."""
        existing = self.sudo().search([
            ('company_id', '=', company.id), ('currency_id', '=', currency.id), ('name', '=', rate.date)], limit=1)
        if existing and existing.l10n_cr_source != SOURCE_HACIENDA:
            return existing
        values = {'inverse_company_rate': float(rate.colones), 'l10n_cr_source': SOURCE_HACIENDA}
        if existing:
            if abs(existing.inverse_company_rate - float(rate.colones)) > 1e-9:
                existing.write(values)
            return existing
        return self.sudo().with_company(company).create({
            **values, 'name': rate.date, 'currency_id': currency.id, 'company_id': company.id})

    @api.model
    def _l10n_cr_latest(self, company, currency, day):
        return self.sudo().search([
            ('currency_id', '=', currency.id), ('name', '<=', day),
            '|', ('company_id', '=', company.id), ('company_id', '=', False)], order='name desc, company_id', limit=1)

    @api.model
    def _l10n_cr_ensure(self, company, currency, day):
        """Make sure the company has ``currency``'s rate of ``day``, asking Hacienda when it has
        none. Returns (notes for the document, whether a rate was added)."""
        if currency == company.currency_id or company.currency_id.name != 'CRC' or currency.name not in CURRENCIES:
            return [], False
        if self.sudo().search_count([('currency_id', '=', currency.id), ('name', '=', day),
                                     '|', ('company_id', '=', company.id), ('company_id', '=', False)], limit=1):
            return [], False
        try:
            rate = company._l10n_cr_public_data().exchange_rate(currency.name, day)
        except NotFound as exc:
            if exc.latest is not None:
                self._l10n_cr_store(company, currency, exc.latest)
            return [self._l10n_cr_fallback_note(company, currency, day, self.env._(
                "Hacienda has not published the %(currency)s rate of %(day)s", currency=currency.name,
                day=self._l10n_cr_day_text(day)))], exc.latest is not None
        except ServiceUnavailable as exc:
            return [self._l10n_cr_fallback_note(company, currency, day, public_data.failure_text(self.env, exc))], False
        except InputError:  # a day after today: no rate can exist yet
            return [self._l10n_cr_fallback_note(company, currency, day, self.env._(
                "%s is after today: Hacienda has no rate for it yet", self._l10n_cr_day_text(day)))], False
        self._l10n_cr_store(company, currency, rate)
        return [], True

    @api.model
    def _l10n_cr_day_text(self, day):
        return fields.Date.to_string(day)

    @api.model
    def _l10n_cr_fallback_note(self, company, currency, day, reason):
        latest = self._l10n_cr_latest(company, currency, day)
        if not latest:
            return self.env._(
                "%(reason)s, and no %(currency)s rate is stored: the document's exchange rate is not the "
                "BCCR's. Enter the rate of %(day)s in Accounting > Currencies and reset the invoice to draft.",
                reason=reason, currency=currency.name, day=self._l10n_cr_day_text(day))
        return self.env._(
            "%(reason)s: the stored %(currency)s rate of %(date)s (%(rate)s colones) was used.",
            reason=reason, currency=currency.name, date=self._l10n_cr_day_text(latest.name),
            rate=f"{latest.inverse_company_rate:.2f}")
