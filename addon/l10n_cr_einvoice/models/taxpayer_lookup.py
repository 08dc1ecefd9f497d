import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from hacienda_cr.errors import InputError
from hacienda_cr.public_data import NotFound, ServiceUnavailable

from ..hacienda import public_data
from .l10n_cr_economic_activity import ACTIVITY_CODE

_logger = logging.getLogger(__name__)

# Hacienda's taxpayer register knows Costa Rican identifications only.
REGISTERED_TYPES = ('01', '02', '03', '04')
# A batch bigger than this (an import) is not looked up one by one at creation.
CREATE_LOOKUP_LIMIT = 10


class ResPartner(models.Model):
    """A customer's name, economic activities and tax situation from Hacienda's register, filled
    from the identification when the partner is created (or its identification typed in the
    form) and on demand; moroso and omiso situations are shown as a warning."""

    _inherit = 'res.partner'

    l10n_cr_activity_ids = fields.Many2many(
        'l10n_cr.economic.activity', 'l10n_cr_partner_activity_rel', 'partner_id', 'activity_id',
        string='Registered activities (CR)',
        help='The active economic activities Hacienda has registered for this taxpayer, as last looked up.')
    l10n_cr_taxpayer_state = fields.Char(
        string='Hacienda registration', readonly=True, help='The taxpayer\'s state in Hacienda\'s register.')
    l10n_cr_taxpayer_regime = fields.Char(string='Tax regime', readonly=True)
    l10n_cr_taxpayer_moroso = fields.Boolean(
        string='In arrears (moroso)', readonly=True, help='Hacienda reports debts of this taxpayer.')
    l10n_cr_taxpayer_omiso = fields.Boolean(
        string='Returns not filed (omiso)', readonly=True, help='Hacienda reports returns this taxpayer has not filed.')
    l10n_cr_taxpayer_checked = fields.Datetime(
        string='Checked with Hacienda', readonly=True, copy=False,
        help='When the name, activities and situation were last read from Hacienda\'s register.')
    l10n_cr_taxpayer_warning = fields.Char(string='Tax situation warning', compute='_compute_l10n_cr_taxpayer_warning')

    @api.depends('l10n_cr_taxpayer_moroso', 'l10n_cr_taxpayer_omiso')
    def _compute_l10n_cr_taxpayer_warning(self):
        for partner in self:
            partner.l10n_cr_taxpayer_warning = ' '.join(partner._l10n_cr_taxpayer_warnings()) or False

    def _l10n_cr_taxpayer_warnings(self):
        self.ensure_one()
        warnings = []
        if self.l10n_cr_taxpayer_moroso:
            warnings.append(self.env._("Hacienda reports this taxpayer as in arrears (moroso)."))
        if self.l10n_cr_taxpayer_omiso:
            warnings.append(self.env._("Hacienda reports this taxpayer as not having filed returns (omiso)."))
        return warnings

    # -- looking up ----------------------------------------------------------------------

    def _l10n_cr_taxpayer_lookup_wanted(self):
        """A Costa Rican identification, for a company that issues electronic documents."""
        self.ensure_one()
        company = self.company_id or self.env.company
        if not company.l10n_cr_enabled or self._l10n_cr_is_foreign() or not self.vat:
            return False
        id_type = self.l10n_cr_id_type_id.code or self._l10n_cr_guess_id_type()
        return id_type in REGISTERED_TYPES

    def _l10n_cr_taxpayer_lookup(self):
        """(Taxpayer or None, what went wrong in the user's words or None)."""
        self.ensure_one()
        company = self.company_id or self.env.company
        id_type = self.l10n_cr_id_type_id.code or self._l10n_cr_guess_id_type()
        try:
            return company._l10n_cr_public_data().taxpayer(self.vat, id_type), None
        except NotFound:
            return None, self.env._(
                "Hacienda has no taxpayer registered with identification %s: check the number.", self.vat)
        except ServiceUnavailable as exc:
            _logger.info("taxpayer lookup of %s: %s", self.vat, exc)
            return None, self.env._(
                "%(reason)s: the name and activities of %(id)s were not checked.",
                reason=public_data.failure_text(self.env, exc), id=self.vat)
        except InputError as exc:
            return None, self.env._("The identification cannot be looked up at Hacienda: %s", str(exc))

    def _l10n_cr_taxpayer_values(self, taxpayer, fill_name):
        """Field values from Hacienda's answer. ``fill_name``: also the registered name."""
        self.ensure_one()
        activities = self._l10n_cr_registered_activities(taxpayer)
        values = {
            'l10n_cr_activity_ids': [fields.Command.set(activities.ids)],
            'l10n_cr_taxpayer_state': taxpayer.state,
            'l10n_cr_taxpayer_regime': taxpayer.regime,
            'l10n_cr_taxpayer_moroso': taxpayer.moroso,
            'l10n_cr_taxpayer_omiso': taxpayer.omiso,
            'l10n_cr_taxpayer_checked': fields.Datetime.now(),
        }
        if fill_name:
            values['name'] = taxpayer.name
        if not self.l10n_cr_id_type_id and taxpayer.id_type in REGISTERED_TYPES:
            values['l10n_cr_id_type_id'] = self.env['l10n_cr.einvoice.code']._l10n_cr_get(
                'identification_types', taxpayer.id_type).id
        if activities and self.l10n_cr_activity_id not in activities:
            # The receiver's activity must be one Hacienda has registered for it.
            values['l10n_cr_activity_id'] = activities[0].id
        return values

    @api.model
    def _l10n_cr_registered_activities(self, taxpayer):
        """The catalogue's records of the taxpayer's active activities, the primary first; an
        activity the catalogue lacks is added (Hacienda's register is the authority)."""
        Activity = self.env['l10n_cr.economic.activity'].sudo().with_context(active_test=False)
        found = Activity.browse()
        for activity in taxpayer.active_activities:
            record = Activity.browse()
            for code in (activity.code, *activity.former_codes):
                record = Activity.search([('code', '=', code)], limit=1) or Activity.search(
                    [('legacy_codes', 'ilike', code)]).filtered(
                    lambda a, code=code: code in [c.strip() for c in (a.legacy_codes or '').split(',')])[:1]
                if record:
                    break
            if not record and ACTIVITY_CODE.fullmatch(activity.code):
                record = Activity.create({'code': activity.code, 'name': activity.description or activity.code})
            found |= record
        return found.sudo(False)

    # -- when it happens -------------------------------------------------------------------

    @api.onchange('vat', 'l10n_cr_id_type_id', 'country_id')
    def _onchange_l10n_cr_taxpayer(self):
        """Typing the identification in the form fills what the register says."""
        if not self._l10n_cr_taxpayer_lookup_wanted():
            return None
        taxpayer, _problem = self._l10n_cr_taxpayer_lookup()
        if taxpayer is None:
            return None  # the form stays as typed; creating the partner tries again and says why
        self.update(self._l10n_cr_taxpayer_values(taxpayer, fill_name=not self.name))
        warnings = self._l10n_cr_taxpayer_warnings()
        if warnings:
            return {'warning': {'title': self.env._("Tax situation of %s", taxpayer.name), 'message': ' '.join(warnings)}}
        return None

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        context = self.env.context
        if context.get('import_file') or context.get('install_mode') or context.get('l10n_cr_no_taxpayer_lookup'):
            return partners
        unchecked = partners.filtered(lambda p: not p.l10n_cr_taxpayer_checked and not p.parent_id)
        unchecked = unchecked.filtered(lambda p: p._l10n_cr_taxpayer_lookup_wanted())
        if len(unchecked) <= CREATE_LOOKUP_LIMIT:
            for partner in unchecked:
                partner._l10n_cr_check_with_hacienda(fill_name=partner._l10n_cr_name_is_placeholder())
        return partners

    def _l10n_cr_name_is_placeholder(self):
        """A name that only repeats the identification (an API or import that had nothing better)."""
        name = ''.join(ch for ch in (self.name or '') if ch.isalnum())
        number = ''.join(ch for ch in (self.vat or '') if ch.isalnum())
        return not name or name == number

    def _l10n_cr_check_with_hacienda(self, fill_name):
        """Look the partner up, store what Hacienda says, and say in its chatter what happened.
        Returns (taxpayer or None, problem or None)."""
        self.ensure_one()
        taxpayer, problem = self._l10n_cr_taxpayer_lookup()
        if taxpayer is None:
            self.message_post(body=problem)
            return None, problem
        self.write(self._l10n_cr_taxpayer_values(taxpayer, fill_name))
        warnings = self._l10n_cr_taxpayer_warnings()
        if warnings:
            self.message_post(body=' '.join(warnings))
        return taxpayer, None

    def action_l10n_cr_fill_from_hacienda(self):
        """Button: the registered name, activities and situation, replacing what is there."""
        self.ensure_one()
        if not self.vat:
            raise UserError(self.env._("Set the identification number (Tax ID) first."))
        taxpayer, problem = self._l10n_cr_check_with_hacienda(fill_name=True)
        if taxpayer is None:
            message, kind = problem, 'warning'
        else:
            warnings = self._l10n_cr_taxpayer_warnings()
            message = ' '.join([self.env._(
                "%(name)s: %(count)s active economic activities registered at Hacienda.",
                name=taxpayer.name, count=len(self.l10n_cr_activity_ids)), *warnings])
            kind = 'warning' if warnings else 'success'
        return {
            'type': 'ir.actions.client',
            'tag': 'display_notification',
            'params': {
                'title': self.env._("Hacienda's taxpayer register"),
                'message': message,
                'type': kind,
                'sticky': kind == 'warning',
                'next': {'type': 'ir.actions.client', 'tag': 'soft_reload'},
            },
        }
