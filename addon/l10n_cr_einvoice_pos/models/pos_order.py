import logging
from datetime import timedelta
from decimal import Decimal

import psycopg2.errors
from markupsafe import Markup
from odoo import api, fields, models
from odoo.addons.l10n_cr_einvoice.models.document_types import DOCUMENT_TYPE_SELECTION, REFERENCE_TYPE
from odoo.addons.l10n_cr_einvoice.models.l10n_cr_einvoice_document import STATE_SELECTION
from odoo.addons.l10n_cr_einvoice.models.money import money
from odoo.addons.l10n_cr_einvoice.sale_mapper import SaleMapper
from odoo.exceptions import UserError
from odoo.tools import float_is_zero

from hacienda_cr.codes import code_list
from hacienda_cr.documents import DOCUMENT_TYPES, sale_summary
from hacienda_cr.errors import InputError

from .pos_config import DEFAULT_OFFLINE_DELAY

_logger = logging.getLogger(__name__)

POS_DOCUMENT_TYPES = ('01', '03', '04')  # Factura, its Nota de Crédito, Tiquete
# Hacienda's documents carry at most four MedioPago entries.
MAX_PAYMENT_ENTRIES = 4
MAX_OTHER_CHARGES = 15  # OtrosCargos entries Hacienda's documents take
OTHER_PAYMENT = '99'
RETRY_BATCH = 100  # orders without a document retried per queue run


class PosOrder(models.Model):
    _inherit = 'pos.order'

    l10n_cr_document_ids = fields.One2many(
        'l10n_cr.einvoice.document', 'pos_order_id', string='Electronic documents', readonly=True)
    l10n_cr_state = fields.Selection(
        [*STATE_SELECTION, ('not_issued', 'Not issued')], string='Hacienda',
        compute='_compute_l10n_cr_state', store=True, index=True, copy=False,
        help='State of the electronic document of this order (of its invoice when it was invoiced). '
             '"Not issued": the document could not be made; the reason is shown on the order.')
    l10n_cr_document_id = fields.Many2one(
        'l10n_cr.einvoice.document', string='Electronic document', compute='_compute_l10n_cr_document',
        compute_sudo=True)
    # compute_sudo: the till's user may not read invoices, yet its receipt shows their clave.
    l10n_cr_document_type = fields.Selection(
        DOCUMENT_TYPE_SELECTION, string='Electronic document type', compute='_compute_l10n_cr_document',
        compute_sudo=True)
    l10n_cr_clave = fields.Char(
        string='Clave', compute='_compute_l10n_cr_document', compute_sudo=True)
    l10n_cr_consecutivo = fields.Char(
        string='Consecutivo', compute='_compute_l10n_cr_document', compute_sudo=True)
    l10n_cr_issue_error = fields.Text(
        string='Why no electronic document', readonly=True, copy=False,
        help='The last attempt to issue this order\'s document failed for this reason. Correct it: the '
             'document is issued again automatically (or with "Issue again").')
    l10n_cr_problem = fields.Text(
        string='E-invoice problem', compute='_compute_l10n_cr_document', compute_sudo=True)
    # Identification captured at the till (offline too); the customer is found or created from it
    # when the paid order reaches the server.
    l10n_cr_customer_id_type = fields.Char(string='Captured identification type', readonly=True, copy=False)
    l10n_cr_customer_id_number = fields.Char(string='Captured identification', readonly=True, copy=False)
    l10n_cr_customer_name = fields.Char(string='Captured customer name', readonly=True, copy=False)
    l10n_cr_customer_email = fields.Char(string='Captured customer e-mail', readonly=True, copy=False)
    l10n_cr_received_date = fields.Datetime(
        string='Paid order received on', readonly=True, copy=False,
        help='When the paid order reached the server: later than the sale when the till was offline. Past the '
             'point of sale\'s offline delay, the document is issued in situación 3 (sin internet).')

    # -- computes ----------------------------------------------------------------------

    def _compute_order_name(self, session=None):
        """Odoo names an order after the last part of its reference, which each device of the point
        of sale counts from 1 on its own, and the server too for orders made elsewhere: a till and a
        second till (or an order sent by a script) gave two "Caja – 000001". The point of sale's
        count of every order it received (``sequence_number``, never repeated) names it instead."""
        name = super()._compute_order_name(session)
        session = session or self.session_id
        if self.refunded_order_id.exists() or not self.sequence_number \
                or not session.config_id.company_id.l10n_cr_enabled:
            return name
        return f"{session.config_id.name} - {self.sequence_number:06d}"

    def _l10n_cr_last_document(self):
        self.ensure_one()
        return self.l10n_cr_document_ids.sorted('id')[-1:]

    @api.depends('l10n_cr_document_ids.state', 'account_move.l10n_cr_state',
                 'l10n_cr_issue_error')
    def _compute_l10n_cr_state(self):
        for order in self:
            if order.account_move:
                order.l10n_cr_state = order.account_move.l10n_cr_state
            elif order.l10n_cr_issue_error:
                order.l10n_cr_state = 'not_issued'
            else:
                order.l10n_cr_state = order._l10n_cr_last_document().state or False

    @api.depends('l10n_cr_document_ids.clave', 'l10n_cr_document_ids.error_message',
                 'account_move.l10n_cr_document_id', 'l10n_cr_issue_error')
    def _compute_l10n_cr_document(self):
        for order in self:
            if order.account_move:
                document = order.account_move.l10n_cr_document_id
            else:
                document = order._l10n_cr_last_document()
            order.l10n_cr_document_id = document
            order.l10n_cr_document_type = document.document_type
            order.l10n_cr_clave = document.clave
            order.l10n_cr_consecutivo = document.consecutivo
            order.l10n_cr_problem = order.l10n_cr_issue_error or (
                document.error_message if document.state in ('error', 'rejected') else False)

    # -- when an order is paid -----------------------------------------------------------

    def _process_saved_order(self, draft):
        if not draft and self.state != 'cancel':
            if not self.l10n_cr_received_date:
                self.l10n_cr_received_date = fields.Datetime.now()
            self._l10n_cr_resolve_captured_customer()
        return super()._process_saved_order(draft)

    def action_pos_order_paid(self):
        result = super().action_pos_order_paid()
        if self._l10n_cr_required():
            if self._l10n_cr_issue():
                self.env['l10n_cr.einvoice.document']._l10n_cr_schedule(fields.Datetime.now())
        return result

    def _l10n_cr_required(self):
        """An order documents itself unless it is (to be) invoiced: then the invoice's document applies."""
        self.ensure_one()
        return bool(
            self.company_id.l10n_cr_enabled
            and self.state in ('paid', 'done')
            and not self.to_invoice and not self.account_move
            and self.lines
        )

    def _l10n_cr_document_type_to_issue(self):
        self.ensure_one()
        if self.amount_total < 0 or self.is_refund:
            return '03'
        return '01' if self._l10n_cr_customer_identified() else '04'

    def _l10n_cr_customer_identified(self):
        """The customer has an identification Hacienda accepts (a Factura can be issued to them)."""
        partner = self.partner_id.commercial_partner_id
        if not partner or partner == self.company_id.partner_id or not partner._l10n_cr_is_identified():
            return False
        return not partner._l10n_cr_identification_problem(*partner._l10n_cr_identification())

    def _l10n_cr_issue(self):
        """Issue this order's document now. A problem never blocks the sale (the customer has paid):
        nothing is reserved, the reason is kept on the order, and the document is issued again once
        it is corrected. Returns the document (empty on failure)."""
        self.ensure_one()
        Document = self.env['l10n_cr.einvoice.document']
        last = self._l10n_cr_last_document()
        if last.state in ('to_send', 'sent', 'accepted'):
            return last
        doc_type = self._l10n_cr_document_type_to_issue()
        reuse = last if (last.state == 'error' and not last.submission_started
                         and last.document_type == doc_type) else None
        vals = {'pos_order_id': self.id, 'partner_id': self.partner_id.commercial_partner_id.id}
        rejected = self.l10n_cr_document_ids.filtered(lambda d: d.state == 'rejected').sorted('id')[-1:]
        if rejected:
            # A new document correcting the rejected one, made and sent now, with a connection.
            vals['situation'] = '1'
            if not (reuse and reuse.replaced_document_id):
                vals['replaced_document_id'] = rejected.id
        else:
            vals.update(situation=self._l10n_cr_situation(),
                        issue_date=self._l10n_cr_sale_date(doc_type))
        config = self.config_id
        try:
            with self.env.cr.savepoint():
                document = Document._l10n_cr_issue(
                    self.company_id, doc_type, config.l10n_cr_establishment or 1, config.l10n_cr_terminal or 1,
                    vals, reuse=reuse)
        except UserError as exc:
            _logger.info("POS order %s: no electronic document: %s", self.name, exc.args[0])
            if self.l10n_cr_issue_error != exc.args[0]:
                self.l10n_cr_issue_error = exc.args[0]
                self._message_log(body=Markup('<br/>').join(exc.args[0].split('\n')))
            return Document
        self.l10n_cr_issue_error = False
        return document

    def _l10n_cr_situation(self):
        """'3' (sin internet) when the paid order reached the server more than the point of sale's
        offline delay after the sale: the till could not transmit it. Else '1' (normal)."""
        self.ensure_one()
        if not (self.l10n_cr_received_date and self.date_order):
            return '1'  # paid in the back office, or stored before the arrival was recorded
        delay = timedelta(minutes=self.config_id.l10n_cr_offline_delay or DEFAULT_OFFLINE_DELAY)
        return '3' if self.l10n_cr_received_date - self.date_order > delay else '1'

    def _l10n_cr_sale_date(self, doc_type):
        """FechaEmision of the order's document: the sale (when the till took the payment), however late
        the order reached the server or its document could be issued. Never in the future (a till
        whose clock runs ahead) nor before the document a credit note references (Hacienda refuses
        a reference dated after the document)."""
        self.ensure_one()
        now = fields.Datetime.now()
        when = min(self.date_order or now, now)
        if doc_type == '03':
            referenced = self._l10n_cr_refunded_document()
            if referenced.issue_date:
                when = max(when, referenced.issue_date)
        return when

    def _l10n_cr_issued_document(self):
        """The order's own document that stands (issued, not rejected), if any."""
        self.ensure_one()
        return self.l10n_cr_document_ids.filtered(
            lambda d: d.clave and d.state in ('to_send', 'sent', 'accepted')).sorted('id')[-1:]

    def _l10n_cr_refunded_document(self):
        """The document of the order this one refunds: its invoice's when it was invoiced."""
        self.ensure_one()
        original = self.refunded_order_id
        if not original:
            return self.env['l10n_cr.einvoice.document']
        if original.account_move:
            return original.account_move.l10n_cr_document_id
        return original._l10n_cr_issued_document()

    def _l10n_cr_resolve_captured_customer(self):
        """Make the customer whose identification the cashier captured this order's customer:
        found by identification (however its Tax ID is written), else created."""
        self.ensure_one()
        id_type = (self.l10n_cr_customer_id_type or '').strip()
        number = (self.l10n_cr_customer_id_number or '').replace('-', '').replace(' ', '').upper()
        if not (id_type and number):
            return
        Partner = self.env['res.partner']
        problem = Partner._l10n_cr_identification_problem(id_type, number)
        if problem:
            self._message_log(body=self.env._(
                "The customer identification captured at the till was not used: %s", problem))
            return
        partner = Partner._l10n_cr_find_by_identification(id_type, number, self.company_id)
        email = (self.l10n_cr_customer_email or '').strip()
        if not partner:
            name = ' '.join((self.l10n_cr_customer_name or '').split())
            if len(name) < 3:
                self._message_log(body=self.env._(
                    "The customer identification %s captured at the till has no name: no customer was created.",
                    number))
                return
            codes = self.env['l10n_cr.einvoice.code']
            try:
                with self.env.cr.savepoint():
                    # The cashier may not manage contacts; documenting the sale needs the customer anyway.
                    partner = Partner.sudo().create({
                        'name': name,
                        'vat': number,
                        'l10n_cr_id_type_id': codes._l10n_cr_get('identification_types', id_type).id,
                        'is_company': id_type == '02',
                        'email': email or False,
                        'country_id': False if id_type == '05' else self.env.ref('base.cr').id,
                    }).sudo(False)
            except UserError as exc:  # the paid order must be stored whatever the customer's data
                self._message_log(body=self.env._(
                    "The customer %(name)s captured at the till could not be created: %(problem)s",
                    name=name, problem=exc.args[0]))
                return
        elif email and not partner.email:
            partner.sudo().email = email
        if self.partner_id.commercial_partner_id != partner:
            self.partner_id = partner

    # -- the document's data -------------------------------------------------------------

    def _l10n_cr_values(self, document):
        """(values, line labels) for ``hacienda_cr.documents.build_document``: the order's lines,
        taxes, discounts and payments. UserError listing every problem in the user's words."""
        self.ensure_one()
        problems = []
        doc_type = document.document_type
        if doc_type not in POS_DOCUMENT_TYPES:
            raise UserError(self.env._("A point of sale order cannot issue a %s.", document._l10n_cr_type_label()))
        mapper = SaleMapper(self.env)
        company = self.company_id
        partner = self.partner_id.commercial_partner_id
        body = {
            'ProveedorSistemas': company._l10n_cr_provider(),
            'CodigoActividadEmisor': company.l10n_cr_activity_id.code,
            'FechaEmision': document._l10n_cr_issue_date_text(),
            'Emisor': mapper.emisor(company),
        }
        receptor = self._l10n_cr_receptor(doc_type, problems)
        if receptor:
            body['Receptor'] = receptor
            if doc_type in ('01', '03') and 'Identificacion' in receptor and partner.l10n_cr_activity_id:
                body['CodigoActividadReceptor'] = partner.l10n_cr_activity_id.code
        credit = any(p.payment_method_id.type == 'pay_later' for p in self.payment_ids)
        body['CondicionVenta'] = '02' if credit else '01'
        if credit:
            body['PlazoCredito'] = self._l10n_cr_credit_days()
        lines, labels = self._l10n_cr_lines(doc_type, problems)
        body['DetalleServicio'] = {'LineaDetalle': lines}
        charges = self._l10n_cr_other_charges(problems)
        if charges:
            body['OtrosCargos'] = charges
        body['ResumenFactura'] = {'CodigoTipoMoneda': mapper.currency(
            self.currency_id, company, self._l10n_cr_date())}
        references = self._l10n_cr_references(document, problems)
        if references:
            body['InformacionReferencia'] = references
        body['Otros'] = {'OtroTexto': [{'#text': (self.pos_reference or self.name)[:500], '@codigo': 'ODOO'}]}
        if problems:
            raise UserError(document._l10n_cr_problems_text(
                self.env._("%(order)s cannot be issued as %(document)s:",
                           order=self.pos_reference or self.name, document=document._l10n_cr_type_label()),
                list(dict.fromkeys(problems))))
        values = {DOCUMENT_TYPES[doc_type].root: body, 'Numeracion': document._l10n_cr_numeracion()}
        body['ResumenFactura']['MedioPago'] = self._l10n_cr_medio_pago(values, document)
        return values, labels

    def _l10n_cr_receptor(self, doc_type, problems):
        partner = self.partner_id.commercial_partner_id
        if not partner or partner == self.company_id.partner_id:
            return None
        if doc_type == '03' and not partner._l10n_cr_is_identified():
            # The credit note of a Tiquete: like the Tiquete, the name and e-mail the customer gave.
            doc_type = '04'
        return SaleMapper(self.env).receptor(
            partner, doc_type, problems, company=self.company_id)

    def _l10n_cr_credit_days(self):
        term = self.partner_id.commercial_partner_id.property_payment_term_id
        if not term:
            return 0
        return max((line.nb_days for line in term.line_ids), default=0)

    def _l10n_cr_date(self):
        return fields.Date.context_today(self, self.date_order)

    def _l10n_cr_lines(self, doc_type, problems):
        """(LineaDetalle list, line labels): each sold line described as an invoice line is (CABYS,
        unit, price without tax, line discount, taxes with their Hacienda codes, the customer's
        exoneration for exonerated taxes)."""
        self.ensure_one()
        mapper = SaleMapper(self.env)
        # A refund order holds negative quantities; its credit note states them as positive.
        sign = -1 if self.amount_total < 0 or self.is_refund else 1
        partner = self.partner_id.commercial_partner_id
        exoneration = partner._l10n_cr_valid_exoneration(self._l10n_cr_date()) if partner else None
        discount_code = self.company_id.l10n_cr_discount_code_id
        lines, labels = [], []
        sold = self.lines.filtered(
            # a combo is documented by its items
            lambda line: line.product_id.type != 'combo' and not float_is_zero(line.qty, precision_digits=6))
        sold -= self._l10n_cr_charge_lines()
        if not sold:
            problems.append(self.env._("The order has no lines to document."))
        for number, line in enumerate(sold, start=1):
            product = line.product_id
            description = line.full_product_name or product.display_name or ''
            label = description.split('\n')[0][:60]
            labels.append(label)
            taxes = line.tax_ids_after_fiscal_position
            lines.append(mapper.line(
                where=self.env._("Line %(number)s (%(label)s)", number=number, label=label),
                product=product,
                description=description,
                quantity=line.qty * sign,
                price_unit=line.price_unit,
                discount=line.discount,
                taxes=taxes,
                uom=line.product_uom_id,
                exoneration=exoneration if any(taxes.mapped('l10n_cr_exonerated')) else None,
                discount_code=discount_code,
                discount_nature=self.company_id.l10n_cr_discount_nature,
                gift_price=product.lst_price,  # a till sells in the company's currency
                doc_type=doc_type,
                problems=problems,
            ))
        return lines, labels

    def _l10n_cr_charge_lines(self):
        """Lines of products that are other charges (the 10 % service charge, an amount collected for
        a third party…): the document states them as OtrosCargos, not as goods or services sold."""
        return self.lines.filtered(
            lambda line: line.product_id.l10n_cr_other_charge_type_id
            and not float_is_zero(line.qty, precision_digits=6))

    def _l10n_cr_other_charges(self, problems):
        """OtrosCargos of the order's charge lines (positive on a credit note, like its lines)."""
        sign = -1 if self.amount_total < 0 or self.is_refund else 1
        mapper = SaleMapper(self.env)
        charges = []
        for number, line in enumerate(self._l10n_cr_charge_lines(), start=1):
            description = line.full_product_name or line.product_id.display_name or ''
            charges.append(mapper.other_charge(
                where=self.env._("Other charge %(number)s (%(label)s)",
                                 number=number, label=description.split('\n')[0][:60]),
                product=line.product_id, description=description, amount=line.price_subtotal * sign,
                taxes=line.tax_ids_after_fiscal_position, problems=problems))
        if len(charges) > MAX_OTHER_CHARGES:
            problems.append(self.env._(
                "Hacienda's document takes at most %s other charges.", MAX_OTHER_CHARGES))
        return charges

    def _l10n_cr_payments(self):
        """[(TipoMedioPago, amount, merged codes)] of this order, biggest first: payment lines
        merged per code (change deducted from cash), and when more than four codes remain, all but
        the three biggest merged into 99 (other), since Hacienda takes at most four."""
        self.ensure_one()
        sign = -1 if self.amount_total < 0 else 1
        amounts = {}
        for payment in self.payment_ids:
            code = payment.payment_method_id._l10n_cr_payment_code()
            amounts[code] = amounts.get(code, 0.0) + payment.amount * sign
        entries = sorted(
            ((code, amount, [code]) for code, amount in amounts.items()
             if self.currency_id.compare_amounts(amount, 0) > 0),
            key=lambda entry: (-entry[1], entry[0]))
        if len(entries) > MAX_PAYMENT_ENTRIES:
            kept = [e for e in entries if e[0] != OTHER_PAYMENT][:MAX_PAYMENT_ENTRIES - 1]
            merged = [e for e in entries if e not in kept]
            entries = [*kept, (OTHER_PAYMENT, sum(e[1] for e in merged),
                               [code for e in merged for code in e[2]])]
        return entries

    def _l10n_cr_medio_pago(self, values, document):
        """MedioPago entries. With several, each carries its amount and they must add up to the
        document's TotalComprobante, which the library computes line by line at five decimals: the
        till's total (rounded per order, maybe rounded for cash) can differ by cents, so the
        difference goes to the biggest entry."""
        entries = self._l10n_cr_payments()
        if not entries:
            return [{'TipoMedioPago': '01'}]

        def medio(code, merged):
            result = {'TipoMedioPago': code}
            if code == OTHER_PAYMENT:
                names = code_list('payment_methods')
                others = [names.get(c, c) for c in merged if c != OTHER_PAYMENT]
                text = self.env._("Other: %s", ', '.join(others)) if others else self.env._("Other")
                result['MedioPagoOtros'] = text[:100]
            return result

        if len(entries) == 1:
            return [medio(entries[0][0], entries[0][2])]
        total = self._l10n_cr_document_total(values, document)
        amounts = [Decimal(money(amount)) for _code, amount, _merged in entries]
        if total is not None:
            amounts[0] += total - sum(amounts)
        return [{**medio(code, merged), 'TotalMedioPago': money(amount)}
                for (code, _amount, merged), amount in zip(entries, amounts, strict=True)]

    @api.model
    def _l10n_cr_document_total(self, values, document):
        """TotalComprobante of these values as the library derives it from the lines and charges
        (None when their amounts cannot be derived: the build then reports why)."""
        try:
            return sale_summary(values, schema_set=document.schema_set or None)['TotalComprobante']
        except InputError:
            return None

    def _l10n_cr_references(self, document, problems):
        """A credit note references the document of the refunded order (or of its invoice); a
        document replacing a rejected one references it."""
        references = []
        in_2026 = document.schema_set != 'v4.4'
        if document.document_type == '03':
            original = self.refunded_order_id
            source = self._l10n_cr_refunded_document()
            if not original:
                problems.append(self.env._(
                    "A refund must be made from the original order (Orders › select the order › Refund): "
                    "its credit note has to reference the original document."))
            elif not source:
                problems.append(self.env._(
                    "The refunded order %s has no electronic document to reference: issue it first.",
                    original.pos_reference or original.name))
            else:
                full = self.currency_id.compare_amounts(abs(self.amount_total), abs(original.amount_total)) == 0
                references.append({
                    **SaleMapper(self.env).reference_to(source, in_2026),
                    'Codigo': '01' if full else '06',
                    'Razon': self.env._("Refund of order %s", original.pos_reference or original.name)[:180],
                })
        replaced = SaleMapper(self.env).replaced_reference(document)
        if replaced:
            references.append(replaced)
        return references

    # -- invoices ----------------------------------------------------------------------------

    def _generate_pos_order_invoice(self):
        for order in self:
            issued = order.l10n_cr_document_ids.filtered(lambda d: d.state != 'rejected')
            if issued:
                raise UserError(self.env._(
                    "%(order)s is already documented by the electronic document %(document)s: an invoice would "
                    "document the same sale twice. Refund the order (its credit note cancels the document) and "
                    "sell again to the identified customer.",
                    order=order.pos_reference or order.name, document=issued[-1].display_name))
        self.l10n_cr_issue_error = False
        return super()._generate_pos_order_invoice()

    def _prepare_invoice_vals(self):
        vals = super()._prepare_invoice_vals()
        if not self.company_id.l10n_cr_enabled:
            return vals
        codes = self.env['l10n_cr.einvoice.code']
        entries = [entry for order in self for entry in order._l10n_cr_payments()]
        if entries:
            # An invoice carries one payment method: the one most of the amount was paid with.
            code = max(entries, key=lambda entry: entry[1])[0]
            vals['l10n_cr_payment_method_id'] = codes._l10n_cr_get('payment_methods', code).id
        refunded = self.refunded_order_id
        if len(self) == 1 and refunded and not refunded.account_move:
            # The credit note of an order that was not invoiced references the order's own document.
            source = refunded._l10n_cr_issued_document()
            if source:
                vals.update({
                    'l10n_cr_reference_document_type_id': codes._l10n_cr_get(
                        'reference_document_types', REFERENCE_TYPE.get(source.document_type, '99')).id,
                    'l10n_cr_reference_number': source.clave,
                    'l10n_cr_reference_date': source.issue_date,
                })
        return vals

    # -- retries and actions -------------------------------------------------------------------

    @api.model
    def _l10n_cr_retry_not_issued(self, limit=RETRY_BATCH):
        """Issue again the documents of paid orders whose issue failed (after the product, customer or
        settings were corrected). Orders another transaction is numbering are left for the next run."""
        orders = self.sudo().search([('l10n_cr_state', '=', 'not_issued')], order='id', limit=limit)
        issued = self.browse()
        for order in orders:
            if not order._l10n_cr_required():
                continue
            try:
                if order._l10n_cr_issue():
                    issued |= order
            except (psycopg2.errors.LockNotAvailable, psycopg2.errors.SerializationFailure):
                _logger.info("POS order %s: numbering busy, its document is issued on the next run", order.name)
        return issued

    def action_l10n_cr_issue(self):
        """Issue again the documents of these orders (after a correction, or after a rejection)."""
        failures = []
        for order in self:
            if order.account_move:
                continue
            last = order._l10n_cr_last_document()
            if last.state in ('to_send', 'sent', 'accepted'):
                continue
            if order.state not in ('paid', 'done'):
                failures.append(self.env._("%s is not paid.", order.name))
                continue
            if not order._l10n_cr_issue():
                failures.append(order.l10n_cr_issue_error)
        self.env['l10n_cr.einvoice.document']._l10n_cr_schedule(fields.Datetime.now())
        if failures:
            raise UserError('\n\n'.join(failures))
        return {'type': 'ir.actions.client', 'tag': 'soft_reload'}

    def action_l10n_cr_send_now(self):
        documents = self.mapped('l10n_cr_document_ids').filtered(
            lambda d: d.state in ('to_send', 'sent', 'error'))
        if not documents:
            raise UserError(self.env._("There is nothing to send to Hacienda for the selected orders."))
        documents.action_l10n_cr_send_now()
        return {'type': 'ir.actions.client', 'tag': 'soft_reload'}

    def l10n_cr_send_from_pos(self):
        """The till's "Send to Hacienda": issue the documents that could not be issued, send what waits,
        ask for the answer, and give the orders back as POS data (their state, clave, problem)."""
        for order in self.filtered(lambda o: o.l10n_cr_state == 'not_issued'):
            if order._l10n_cr_required():
                order._l10n_cr_issue()
        documents = self.l10n_cr_document_ids.filtered(
            lambda d: d.state in ('to_send', 'sent') or (d.state == 'error' and d.error_kind != 'data'))
        if documents:
            documents.action_l10n_cr_send_now()
        config = self.config_id[:1]
        return {'pos.order': self._load_pos_data_read(self, config) if config else []}

    def action_l10n_cr_documents(self):
        return (self.l10n_cr_document_ids
                | self.account_move.l10n_cr_document_ids)._l10n_cr_open_action()
