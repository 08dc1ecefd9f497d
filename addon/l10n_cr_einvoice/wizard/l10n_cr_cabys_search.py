import logging

from odoo import fields, models
from odoo.exceptions import UserError

from hacienda_cr.errors import InputError
from hacienda_cr.public_data import NotFound, ServiceUnavailable

from ..hacienda import public_data

_logger = logging.getLogger(__name__)

TOP = 20


class L10nCrCabysSearch(models.TransientModel):
    """Find a product's CABYS code by words in Hacienda's catalogue (``/fe/cabys?q=``); when the
    service cannot answer, in the catalogue imported into Odoo, and the wizard says so."""

    _name = 'l10n_cr.cabys.search'
    _description = 'Search the CABYS catalogue'

    product_tmpl_id = fields.Many2one('product.template', string='Product', readonly=True)
    words = fields.Char(string='Words', required=True, help='Words of the description, e.g. "jugo de tomate".')
    line_ids = fields.One2many('l10n_cr.cabys.search.line', 'search_id', string='Results', readonly=True)
    total = fields.Integer(string='Codes found', readonly=True)
    source_note = fields.Char(string='Where the results come from', readonly=True)

    def action_l10n_cr_search(self):
        self.ensure_one()
        self.line_ids.unlink()
        company = self.product_tmpl_id.company_id or self.env.company
        try:
            found = company._l10n_cr_public_data().cabys_search(self.words, TOP)
        except InputError:
            raise UserError(self.env._("Give at least 3 characters to search the CABYS catalogue.")) from None
        except ServiceUnavailable as exc:
            _logger.info("CABYS search for %r: %s", self.words, exc)
            self._search_imported(public_data.failure_text(self.env, exc))
        else:
            self.write({
                'total': found.total,
                'source_note': self.env._("Hacienda's CABYS catalogue"),
                'line_ids': [fields.Command.create({
                    'code': item.code, 'name': item.description,
                    'tax_rate': float(item.tax_rate) if item.tax_rate is not None else 0.0,
                    'categories': ' / '.join(item.categories)[:500],
                }) for item in found.items],
            })
        return self._l10n_cr_reopen()

    def _search_imported(self, reason):
        domain = [('name', 'ilike', word) for word in self.words.split()]
        Cabys = self.env['l10n_cr.cabys']
        codes = Cabys.search(domain, limit=TOP)
        self.write({
            'total': Cabys.search_count(domain),
            'source_note': self.env._("%s: these results come from the catalogue imported into Odoo.", reason),
            'line_ids': [fields.Command.create({
                'code': c.code, 'name': c.name, 'tax_rate': c.tax_rate, 'categories': c.category or False})
                for c in codes],
        })

    def _l10n_cr_reopen(self):
        return {
            'type': 'ir.actions.act_window', 'res_model': self._name, 'res_id': self.id,
            'view_mode': 'form', 'target': 'new', 'name': self.env._("Search the CABYS catalogue"),
        }


class L10nCrCabysSearchLine(models.TransientModel):
    _name = 'l10n_cr.cabys.search.line'
    _description = 'CABYS search result'
    _order = 'code'

    search_id = fields.Many2one('l10n_cr.cabys.search', required=True, ondelete='cascade')
    code = fields.Char(required=True, readonly=True)
    name = fields.Char(string='Description', readonly=True)
    tax_rate = fields.Float(string='VAT rate (%)', readonly=True)
    categories = fields.Char(readonly=True)

    def action_l10n_cr_choose(self):
        """Keep the code in the catalogue (added or updated from Hacienda) and give it to the product.

        The catalogue takes Hacienda's own answer for the code, never the line's values (a
        result line is the user's record: it could say anything)."""
        self.ensure_one()
        Cabys = self.env['l10n_cr.cabys'].sudo().with_context(active_test=False)
        record = Cabys.search([('code', '=', self.code)], limit=1)
        company = self.search_id.product_tmpl_id.company_id or self.env.company
        try:
            item = company._l10n_cr_public_data().cabys(self.code)
        except NotFound:
            raise UserError(self.env._("Hacienda's CABYS catalogue has no code %s.", self.code)) from None
        except (ServiceUnavailable, InputError) as exc:
            if not record:
                raise UserError(self.env._(
                    "%s: the code cannot be confirmed now and is not in the imported catalogue. Try again later.",
                    public_data.failure_text(self.env, exc) if isinstance(exc, ServiceUnavailable) else str(exc))
                ) from None
            item = None
        if item is not None:
            rate = float(item.tax_rate) if item.tax_rate is not None else 0.0
            values = {'name': item.description, 'tax_rate': rate, 'tax_label': f"{rate:g}%", 'active': True}
            if not record:
                record = Cabys.create({'code': item.code, 'category': ' / '.join(item.categories)[:250] or False,
                                       **values})
            elif (record.name, record.tax_rate, record.active) != (values['name'], values['tax_rate'], True):
                record.write(values)
        product = self.search_id.product_tmpl_id
        if product:
            product.l10n_cr_cabys_id = record.sudo(False)
            return {'type': 'ir.actions.act_window_close'}
        return {
            'type': 'ir.actions.client', 'tag': 'display_notification',
            'params': {'type': 'success', 'message': self.env._("CABYS code %s is in the catalogue.", record.code),
                       'next': {'type': 'ir.actions.act_window_close'}},
        }


class ProductTemplate(models.Model):
    _inherit = 'product.template'

    def action_l10n_cr_search_cabys(self):
        """Open the CABYS search with the product's name as the words."""
        self.ensure_one()
        wizard = self.env['l10n_cr.cabys.search'].create({'product_tmpl_id': self.id, 'words': self.name})
        return wizard.action_l10n_cr_search()

