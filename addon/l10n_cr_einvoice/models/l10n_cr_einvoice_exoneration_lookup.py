import logging
from datetime import datetime, timedelta
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError

from hacienda_cr import costa_rica_time
from hacienda_cr.public_data import AUTHORISATION_PATTERN, Exoneration, NotFound, ServiceUnavailable

from ..hacienda import public_data

_logger = logging.getLogger(__name__)

# Checked again at posting when the last confirmation is older than this.
RECHECK_AFTER = timedelta(hours=1)
GENERAL_VAT_RATE = 13
STATUS_SELECTION = [
    ('not_checked', 'Not checked'),
    ('confirmed', 'Confirmed by Hacienda'),
    ('unknown', 'Unknown to Hacienda'),
]


class L10nCrEinvoiceExoneration(models.Model):
    """An exoneration authorisation of Hacienda's EXONET filled from its number, and checked
    before each posting: dates, exonerated rate and the CABYS codes it covers (annex p. 44-45:
    Hacienda rejects a document whose authorisation is not in force, or exonerates more than
    authorised)."""

    _inherit = 'l10n_cr.einvoice.exoneration'

    holder_identification = fields.Char(
        string='Holder identification', readonly=True,
        help='The identification Hacienda has registered as the beneficiary of the authorisation.')
    authorized_rate = fields.Float(
        string='Authorised rate (%)', digits=(5, 2), readonly=True,
        help='The VAT percentage points Hacienda says the authorisation exonerates.')
    cabys_limited = fields.Boolean(
        string='Limited to CABYS codes', readonly=True,
        help='The authorisation covers only the goods and services of the listed CABYS codes.')
    cabys_codes = fields.Text(string='Covered CABYS codes', readonly=True)
    hacienda_status = fields.Selection(
        STATUS_SELECTION, string='Hacienda', default='not_checked', required=True, readonly=True, copy=False)
    hacienda_checked = fields.Datetime(string='Checked with Hacienda', readonly=True, copy=False)

    def _l10n_cr_in_exonet(self):
        """Authorisations numbered like AL-00012345-26 live in Hacienda's EXONET and can be looked up."""
        self.ensure_one()
        return bool(AUTHORISATION_PATTERN.fullmatch((self.number or '').strip().upper()))

    def _l10n_cr_lookup(self):
        """(Exoneration or None, problem in the user's words or None, unknown to Hacienda)."""
        self.ensure_one()
        company = self.partner_id.company_id or self.env.company
        try:
            return company._l10n_cr_public_data().exoneration(self.number), None, False
        except NotFound:
            return None, self.env._("Hacienda has no exoneration authorisation %s.", self.number), True
        except ServiceUnavailable as exc:
            _logger.info("exoneration lookup of %s: %s", self.number, exc)
            return None, public_data.failure_text(self.env, exc), False

    def _l10n_cr_values_from(self, authorisation):
        """(field values, problems) from Hacienda's answer."""
        self.ensure_one()
        codes = self.env['l10n_cr.einvoice.code']
        institution, other = authorisation.institution_code()
        document_type = codes._l10n_cr_get('exemption_types', authorisation.document_type)
        values = {
            'number': authorisation.number,
            'holder_identification': authorisation.identification,
            'authorized_rate': float(authorisation.percentage),
            'cabys_limited': authorisation.cabys is not None,
            'cabys_codes': ' '.join(authorisation.cabys or ()),
            'institution_id': codes._l10n_cr_get('exemption_institutions', institution).id,
            'institution_other': other or False,
            'issue_date': authorisation.issued.date(),
            'date_from': authorisation.issued.date(),
            'date_to': authorisation.expires.date() if authorisation.expires else False,
            'hacienda_status': 'confirmed',
            'hacienda_checked': fields.Datetime.now(),
        }
        if document_type:
            values['document_type_id'] = document_type.id
        problems = []
        if 0 < authorisation.percentage <= GENERAL_VAT_RATE:
            values['rate'] = float(authorisation.percentage)
        else:
            problems.append(self.env._(
                "Hacienda gives this authorisation %(percentage)s %%, which is not a number of VAT points "
                "(at most 13): check the exonerated rate.", percentage=f"{authorisation.percentage:g}"))
        number = self.partner_id.commercial_partner_id._l10n_cr_identification()[1]
        if self.partner_id and number and number != authorisation.identification:
            problems.append(self.env._(
                "The authorisation belongs to identification %(holder)s, not to %(customer)s (%(number)s).",
                holder=authorisation.identification, customer=self.partner_id.display_name, number=number))
        today = costa_rica_time.now().date()
        if authorisation.expires and authorisation.expires.date() < today:
            problems.append(self.env._("The authorisation expired on %s.", fields.Date.to_string(authorisation.expires.date())))
        return values, problems

    @api.onchange('number')
    def _onchange_l10n_cr_number(self):
        """Typing an EXONET number fills the rest from Hacienda."""
        if not self.number or not self._l10n_cr_in_exonet():
            return None
        company = self.partner_id.company_id or self.env.company
        if not company.l10n_cr_enabled:
            return None
        authorisation, problem, _unknown = self._l10n_cr_lookup()
        if authorisation is None:
            problems = [problem, self.env._("Fill in the authorisation's data by hand; it is checked again at posting.")]
        else:
            values, problems = self._l10n_cr_values_from(authorisation)
            self.update(values)
        if problems:
            return {'warning': {'title': self.env._("Exoneration %s", self.number), 'message': '\n'.join(problems)}}
        return None

    def action_l10n_cr_check_hacienda(self):
        """Button: refresh the authorisation's data from Hacienda and say what was found."""
        self.ensure_one()
        if not self._l10n_cr_in_exonet():
            raise UserError(self.env._(
                "Only authorisations of Hacienda's EXONET (numbered like AL-00012345-26) can be checked with "
                "Hacienda; check this one against its document."))
        authorisation, problem, unknown = self._l10n_cr_lookup()
        if authorisation is None:
            if unknown:
                self.write({'hacienda_status': 'unknown', 'hacienda_checked': fields.Datetime.now()})
            message, kind = problem, 'warning'
        else:
            values, problems = self._l10n_cr_values_from(authorisation)
            self.write(values)
            message = '\n'.join(problems) or self.env._(
                "Confirmed by Hacienda: valid until %(date)s, %(rate)s %% exonerated.",
                date=fields.Date.to_string(self.date_to) if self.date_to else '—', rate=f"{self.rate:g}")
            kind = 'warning' if problems else 'success'
        return {
            'type': 'ir.actions.client',
            'tag': 'display_notification',
            'params': {'title': self.env._("Exoneration %s", self.number), 'message': message, 'type': kind,
                       'sticky': kind == 'warning', 'next': {'type': 'ir.actions.client', 'tag': 'soft_reload'}},
        }

    # -- at posting ------------------------------------------------------------------------

    def _l10n_cr_refresh_for_posting(self):
        """Ask Hacienda again about the EXONET authorisations not confirmed recently; when it
        cannot answer, the stored data is used. Returns notes saying so."""
        notes = []
        recent = fields.Datetime.now() - RECHECK_AFTER
        for exoneration in self:
            if not exoneration._l10n_cr_in_exonet() or (
                    exoneration.hacienda_status == 'confirmed' and exoneration.hacienda_checked
                    and exoneration.hacienda_checked >= recent):
                continue
            authorisation, problem, unknown = exoneration._l10n_cr_lookup()
            if authorisation is not None:
                values, _problems = exoneration._l10n_cr_values_from(authorisation)
                exoneration.write(values)  # the posting checks then find what Hacienda says
                continue
            stored = (self.env._("confirmed by Hacienda on %s", fields.Datetime.to_string(exoneration.hacienda_checked))
                      if exoneration.hacienda_checked and exoneration.hacienda_status == 'confirmed'
                      else self.env._("never confirmed by Hacienda"))
            if unknown:
                exoneration.hacienda_status = 'unknown'
            notes.append(self.env._(
                "Exoneration %(number)s: %(problem)s The stored data (%(stored)s) was used.",
                number=exoneration.number, problem=problem.rstrip('.') + '.', stored=stored))
        return notes

    def _l10n_cr_authorisation(self):
        """The stored data as the library's Exoneration, to check a line against."""
        self.ensure_one()
        start = self.date_from or self.issue_date
        return Exoneration(
            number=self.number or '',
            identification=self.holder_identification or '',
            issued=datetime.combine(start, datetime.min.time()) if start else datetime.min,
            expires=datetime.combine(self.date_to, datetime.min.time()) if self.date_to else None,
            percentage=Decimal(str(self.authorized_rate or self.rate)),
            document_type=self.document_type_id.code or '',
            document_type_name=self.document_type_id.name or '',
            institution=self.institution_id.name or '',
            cabys=tuple((self.cabys_codes or '').split()) if self.cabys_limited else None,
        )

    def _l10n_cr_line_problems(self, where, date, cabys_code, points):
        """Why this exoneration cannot exonerate ``points`` VAT points of a line dated ``date``
        selling ``cabys_code``, in plain words naming the field to fix."""
        self.ensure_one()
        problems = []
        authorisation = self._l10n_cr_authorisation()
        date = date or costa_rica_time.now().date()
        if not authorisation.valid_on(date):
            if authorisation.expires and date > authorisation.expires.date():
                problems.append(self.env._(
                    "%(where)s: the exoneration %(number)s expired on %(expiry)s (field \"Valid until\" of the "
                    "exoneration) and the document is of %(date)s. Renew the authorisation or remove the exonerated "
                    "tax.", where=where, number=self.number, expiry=fields.Date.to_string(self.date_to),
                    date=fields.Date.to_string(date)))
            else:
                problems.append(self.env._(
                    "%(where)s: the exoneration %(number)s is valid only from %(start)s (field \"Valid from\" of "
                    "the exoneration) and the document is of %(date)s.", where=where, number=self.number,
                    start=fields.Date.to_string(authorisation.issued.date()), date=fields.Date.to_string(date)))
        if self.authorized_rate and self.rate > self.authorized_rate + 1e-6:
            problems.append(self.env._(
                "%(where)s: the exoneration %(number)s has an exonerated rate of %(rate)s %% (field \"Exonerated "
                "rate (%%)\") but Hacienda authorised %(authorised)s %%.", where=where, number=self.number,
                rate=f"{self.rate:g}", authorised=f"{self.authorized_rate:g}"))
        elif points is not None and points > float(authorisation.percentage) + 1e-6:
            problems.append(self.env._(
                "%(where)s: the tax exonerates %(points)s VAT points but the exoneration %(number)s allows "
                "%(rate)s (field \"Exonerated rate (%%)\"). Use a tax that exonerates no more than that.",
                where=where, points=f"{points:g}", number=self.number, rate=f"{authorisation.percentage:g}"))
        if cabys_code and not authorisation.covers(cabys_code):
            problems.append(self.env._(
                "%(where)s: the exoneration %(number)s does not cover the CABYS code %(code)s of this product "
                "(field \"Covered CABYS codes\" of the exoneration).", where=where, number=self.number,
                code=cabys_code))
        customer = self.partner_id.commercial_partner_id._l10n_cr_identification()[1]
        if self.holder_identification and customer and customer != self.holder_identification:
            problems.append(self.env._(
                "%(where)s: the exoneration %(number)s belongs to identification %(holder)s, not to the "
                "customer's %(number_customer)s.", where=where, number=self.number,
                holder=self.holder_identification, number_customer=customer))
        return problems
