import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from hacienda_cr.documents.rules import EMAIL, check_identification

TWO_DIGITS = re.compile(r'\d{1,2}')
MAX_EMAILS = 4


def split_emails(raw):
    return [e.strip() for e in re.split(r'[,;\s]+', raw or '') if e.strip()]


class ResPartner(models.Model):
    _inherit = 'res.partner'

    l10n_cr_id_type_id = fields.Many2one(
        'l10n_cr.einvoice.code', string='Identification type (CR)',
        domain=[('list_name', '=', 'identification_types')],
        compute='_compute_l10n_cr_id_type_id', store=True, readonly=False, precompute=True,
        help='Hacienda identification type of the Tax ID: 01 cédula física (9 digits), 02 cédula '
             'jurídica (10 digits), 03 DIMEX (11-12 digits), 04 NITE (10 digits), '
             '05 foreigner not domiciled, 06 not a taxpayer. Guessed from the Tax ID when empty.',
    )
    l10n_cr_emails = fields.Char(
        string='E-invoice e-mails',
        help='Where electronic documents are e-mailed (up to 4, separated by commas). The first '
             'one is written in the XML. Empty: the contact\'s e-mail.',
    )
    l10n_cr_email_to = fields.Char(
        compute='_compute_l10n_cr_email_to', string='E-invoice recipients',
        help='Where the electronic documents are e-mailed: the e-invoice e-mails, else the e-mail.')
    l10n_cr_canton_code = fields.Char(string='Canton code', help='Two-digit canton code (01, 02…) within the province.')
    l10n_cr_district_code = fields.Char(string='District code', help='Two-digit district code within the canton.')
    l10n_cr_neighborhood = fields.Char(
        string='Neighborhood (barrio)',
        help='Barrio of the address, written in the document when it has at least 5 characters.')
    l10n_cr_activity_id = fields.Many2one(
        'l10n_cr.economic.activity', string='Economic activity (CR)',
        help='The customer\'s registered activity (CodigoActividadReceptor), needed when the '
             'customer deducts the purchase as a cost or claims the VAT credit.',
    )
    l10n_cr_fec = fields.Boolean(
        string='Supplier not registered for e-invoicing',
        help='Purchase invoices from this supplier produce a Factura Electrónica de Compra issued '
             'by the company (the supplier cannot issue electronic invoices).',
    )
    l10n_cr_payment_method_id = fields.Many2one(
        'l10n_cr.einvoice.code', string='Payment method (CR)',
        domain=[('list_name', '=', 'payment_methods')],
        help='MedioPago proposed on this customer\'s invoices.',
    )
    l10n_cr_exoneration_ids = fields.One2many(
        'l10n_cr.einvoice.exoneration', 'partner_id', string='VAT exonerations')

    @api.depends('l10n_cr_emails', 'email')
    def _compute_l10n_cr_email_to(self):
        for partner in self:
            partner.l10n_cr_email_to = ', '.join(partner._l10n_cr_email_list())

    @api.depends('vat', 'country_id')
    def _compute_l10n_cr_id_type_id(self):
        codes = self.env['l10n_cr.einvoice.code']
        for partner in self:
            if partner.l10n_cr_id_type_id or not partner.vat:
                partner.l10n_cr_id_type_id = partner.l10n_cr_id_type_id
                continue
            guess = partner._l10n_cr_guess_id_type()
            partner.l10n_cr_id_type_id = guess and codes._l10n_cr_get('identification_types', guess)

    def _l10n_cr_guess_id_type(self):
        self.ensure_one()
        number = (self.vat or '').replace('-', '').replace(' ', '')
        if self.country_id and self.country_id.code != 'CR':
            # Only a number Hacienda can carry; anything else stays unclassified.
            return '05' if re.fullmatch(r'[0-9A-Za-z]{1,20}', number) else None
        if re.fullmatch(r'[1-9]\d{8}', number):
            return '01'
        if re.fullmatch(r'[234]\d{9}', number):
            return '02'
        if re.fullmatch(r'[1-9]\d{10,11}', number):
            return '03'
        return None

    @api.model
    def _l10n_cr_identification_problem(self, id_type, number):
        """Why ``number`` is not a valid identification of ``id_type`` (None when it is)."""
        issues = []
        check_identification(id_type, number, 'Identificacion', issues)
        return issues[0].message if issues else None

    def _l10n_cr_identification(self):
        """(type code, normalised number) or (False, '') when the partner is not identified."""
        self.ensure_one()
        number = (self.vat or '').replace('-', '').replace(' ', '')
        id_type = self.l10n_cr_id_type_id.code
        if id_type in ('05', '06'):
            number = number.upper()
        return id_type, number

    @api.model
    def _l10n_cr_find_by_identification(self, id_type, number, company):
        """The commercial entity with this identification, however its Tax ID is written (dashes,
        spaces); empty when there is none."""
        number = (number or '').replace('-', '').replace(' ', '').upper()
        if not number:
            return self.browse()
        candidates = self.search([
            ('vat', 'ilike', number[-4:]),
            ('parent_id', '=', False),
            *self._check_company_domain(company),
        ], order='id', limit=50)
        for partner in candidates:
            own_type, own_number = partner._l10n_cr_identification()
            if own_number.upper() == number and (not own_type or own_type == id_type):
                return partner
        return self.browse()

    def _l10n_cr_is_identified(self):
        id_type, number = self._l10n_cr_identification()
        return bool(id_type and number)

    def _l10n_cr_is_foreign(self):
        self.ensure_one()
        return bool(self.country_id) and self.country_id.code != 'CR'

    @api.constrains('vat', 'l10n_cr_id_type_id')
    def _check_l10n_cr_identification(self):
        for partner in self:
            id_type, number = partner._l10n_cr_identification()
            if not (id_type and number):
                continue
            problem = self._l10n_cr_identification_problem(id_type, number)
            if problem:
                raise ValidationError(self.env._(
                    "The identification of %(partner)s is not valid for Hacienda: %(problem)s",
                    partner=partner.display_name, problem=problem))

    @api.constrains('l10n_cr_emails')
    def _check_l10n_cr_emails(self):
        for partner in self:
            emails = split_emails(partner.l10n_cr_emails)
            if len(emails) > MAX_EMAILS:
                raise ValidationError(self.env._(
                    "At most %(max)s e-invoice e-mails can be given (%(partner)s has %(count)s).",
                    max=MAX_EMAILS, partner=partner.display_name, count=len(emails)))
            bad = [e for e in emails if not EMAIL.fullmatch(e)]
            if bad:
                raise ValidationError(self.env._("Not an e-mail address: %s", ', '.join(bad)))

    @api.constrains('l10n_cr_canton_code', 'l10n_cr_district_code')
    def _check_l10n_cr_location_codes(self):
        for partner in self:
            for value, label in ((partner.l10n_cr_canton_code, self.env._("canton")),
                                 (partner.l10n_cr_district_code, self.env._("district"))):
                if value and not TWO_DIGITS.fullmatch(value):
                    raise ValidationError(self.env._(
                        "The %(what)s code must be one or two digits (e.g. 01), not %(value)s.",
                        what=label, value=value))

    def _l10n_cr_email_list(self):
        self.ensure_one()
        return split_emails(self.l10n_cr_emails) or split_emails(self.email)[:1]

    def _l10n_cr_location_values(self, max_other=250):
        """Hacienda's Ubicacion for a Costa Rican address, or {} when incomplete (``max_other``: the
        length OtrasSenas may have, 160 for a customer, annex p. 24)."""
        self.ensure_one()
        state = self.state_id
        if not (state and state.country_id.code == 'CR' and state.code.isdigit()):
            return {}
        if not (self.l10n_cr_canton_code and self.l10n_cr_district_code):
            return {}
        other = ', '.join(p for p in (self.street, self.street2, self.city) if p)
        if len(other) < 5:
            return {}
        values = {
            'Provincia': int(state.code),
            'Canton': int(self.l10n_cr_canton_code),
            'Distrito': int(self.l10n_cr_district_code),
            'OtrasSenas': other[:max_other],
        }
        if self.l10n_cr_neighborhood and len(self.l10n_cr_neighborhood) >= 5:
            values['Barrio'] = self.l10n_cr_neighborhood[:50]
        return values

    def _l10n_cr_foreign_address(self):
        self.ensure_one()
        parts = [self.street, self.street2, self.city, self.state_id.name, self.zip, self.country_id.name]
        text = ', '.join(p for p in parts if p)
        return text[:300] if len(text) >= 5 else None

    def _l10n_cr_sale_document_type(self):
        """The document a sale to this customer produces: 09 export, 01 factura, 04 tiquete.

        Shared with the point of sale: a foreign customer gets an export invoice, an
        identified one a Factura Electrónica, anyone else a Tiquete."""
        partner = self.commercial_partner_id
        if not partner:
            return '04'
        if partner._l10n_cr_is_foreign():
            return '09'
        if partner._l10n_cr_is_identified():
            return '01'
        return '04'

    def _l10n_cr_valid_exoneration(self, date):
        """The partner's exoneration valid on ``date`` (empty when none)."""
        self.ensure_one()
        return self.commercial_partner_id.l10n_cr_exoneration_ids.filtered(
            lambda e: e.active and (not e.date_from or e.date_from <= date)
            and (not e.date_to or e.date_to >= date))[:1]

    def _l10n_cr_latest_exoneration(self):
        """The partner's active exoneration that ends last (empty when none)."""
        self.ensure_one()
        return self.commercial_partner_id.l10n_cr_exoneration_ids.filtered('active').sorted(
            lambda e: (e.date_to or fields.Date.to_date('9999-12-31'), e.id))[-1:]

    def _l10n_cr_party(self, role, problems=None, identification=None, name=None, emails=None,
                                commercial_name=None):
        """Emisor / Receptor for a document. ``role``: ``emisor`` (the company), ``receptor``
        (a Costa Rican customer), ``export`` (a foreign customer), ``fec_emisor`` (the supplier
        of a Factura de Compra). Missing data is reported in ``problems``, in plain words."""
        self.ensure_one()
        problems = problems if problems is not None else []
        partner = self.commercial_partner_id
        name = ' '.join((name or partner.name or '').split())
        who = {
            'emisor': self.env._("The company"),
            'receptor': self.env._("The customer %s", partner.display_name),
            'export': self.env._("The customer %s", partner.display_name),
            'fec_emisor': self.env._("The supplier %s", partner.display_name),
        }[role]
        min_name = 5 if role in ('emisor', 'fec_emisor') else 3
        if len(name) < min_name:
            problems.append(self.env._("%(who)s needs a name of at least %(count)s characters.", who=who, count=min_name))
        party = {'Nombre': name[:100]}
        id_type, number = identification or partner._l10n_cr_identification()
        if id_type and number:
            problem = partner._l10n_cr_identification_problem(id_type, number)
            if problem:
                problems.append(self.env._("%(who)s has an identification Hacienda does not accept: %(problem)s",
                                  who=who, problem=problem))
            party['Identificacion'] = {'Tipo': id_type, 'Numero': number}
        else:  # an export invoice identifies its customer too (annex p. 4, item 26)
            problems.append(self.env._("%s needs an identification: set the identification type and the Tax ID.", who))
        if commercial_name and len(commercial_name) >= 3:
            party['NombreComercial'] = commercial_name[:80]
        foreign = id_type == '05'  # not domiciled in Costa Rica: no Costa Rican address (annex pp. 21, 23)
        if role == 'export' or foreign or (role == 'fec_emisor' and partner._l10n_cr_is_foreign()):
            address = partner._l10n_cr_foreign_address()
            if address and (role in ('export', 'receptor') or foreign):
                party['OtrasSenasExtranjero'] = address
        else:
            location = partner._l10n_cr_location_values(160 if role == 'receptor' else 250)
            if location:
                party['Ubicacion'] = location
            elif role == 'emisor' or (role == 'fec_emisor' and id_type != '06'):
                problems.append(self.env._("%s needs a complete address: province, canton and district codes and the "
                                  "street.", who))
        mail_list = emails if emails is not None else partner._l10n_cr_email_list()
        if role in ('emisor', 'fec_emisor'):
            if mail_list:
                party['CorreoElectronico'] = mail_list[:4]
            elif role == 'emisor':
                problems.append(self.env._("%s needs an e-mail address.", who))
        elif mail_list:
            party['CorreoElectronico'] = mail_list[0]
        return party
