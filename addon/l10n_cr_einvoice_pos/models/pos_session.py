from odoo import fields, models

# How many unfinished documents the closing dialog lists by name (the count is always given).
CLOSING_LIST_LIMIT = 10


class PosSession(models.Model):
    _inherit = 'pos.session'

    l10n_cr_pending_count = fields.Integer(
        string='E-invoices not accepted', compute='_compute_l10n_cr_pending_count',
        help='Orders of this session whose electronic document Hacienda has not accepted yet (waiting, '
             'sent, in error, rejected or not issued).')

    def _l10n_cr_unfinished_orders(self):
        """Orders of these sessions whose document is not accepted (an invoiced order counts by its invoice)."""
        return self.env['pos.order'].search([
            ('session_id', 'in', self.ids),
            ('l10n_cr_state', 'in', ('to_send', 'sent', 'error', 'rejected', 'not_issued')),
        ], order='id')

    def _compute_l10n_cr_pending_count(self):
        counts = dict(self.env['pos.order']._read_group(
            [('session_id', 'in', self.ids),
             ('l10n_cr_state', 'in', ('to_send', 'sent', 'error', 'rejected', 'not_issued'))],
            ['session_id'], ['__count']))
        for session in self:
            session.l10n_cr_pending_count = counts.get(session, 0)

    def get_closing_control_data(self):
        data = super().get_closing_control_data()
        if self.company_id.l10n_cr_enabled:
            data['l10n_cr_einvoice_pending'] = self._l10n_cr_closing_summary()
        return data

    def _l10n_cr_closing_summary(self):
        """What the closing dialog tells the cashier: the orders whose document Hacienda has not
        accepted. Closing is not blocked: the queue keeps sending after the session is closed."""
        self.ensure_one()
        orders = self._l10n_cr_unfinished_orders()
        states = dict(self.env['pos.order']._fields['l10n_cr_state']._description_selection(self.env))
        attention = orders.filtered(lambda o: o.l10n_cr_state in ('error', 'rejected', 'not_issued'))
        return {
            'count': len(orders),
            'attention_count': len(attention),
            'orders': [{
                'name': order.pos_reference or order.name,
                'document': order.l10n_cr_document_id.name or '',
                'state': states.get(order.l10n_cr_state, ''),
                'attention': order in attention,
            } for order in (attention | orders)[:CLOSING_LIST_LIMIT]],
        }

    def action_l10n_cr_orders(self):
        self.ensure_one()
        action = self.env['ir.actions.act_window']._for_xml_id('point_of_sale.action_pos_pos_form')
        action['domain'] = [('id', 'in', self._l10n_cr_unfinished_orders().ids)]
        action['context'] = {'create': False}
        return action

    def action_l10n_cr_retry(self):
        """Issue again the missing documents and send what is waiting, for this session's orders."""
        orders = self._l10n_cr_unfinished_orders()
        not_issued = orders.filtered(lambda o: o.l10n_cr_state == 'not_issued')
        for order in not_issued:
            order._l10n_cr_issue()
        documents = orders.l10n_cr_document_ids.filtered(lambda d: d.state in ('to_send', 'sent', 'error'))
        if documents:
            documents.action_l10n_cr_send_now()
        return {'type': 'ir.actions.client', 'tag': 'soft_reload'}
