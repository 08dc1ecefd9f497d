import base64
import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from hacienda_cr.clave import Clave
from hacienda_cr.codes import IVA_TAX_CODES, code_list, iva_rate
from hacienda_cr.documents import DOCUMENT_TYPES
from hacienda_cr.errors import InputError

from ..sale_mapper import SaleMapper
from .document_types import DOCUMENT_TYPE_SELECTION
from .l10n_cr_einvoice_document import STATE_SELECTION
from .money import money

_logger = logging.getLogger(__name__)

CREDIT_CONDITIONS = ('02', '08', '10')  # sales on credit (p. 25): PlazoCredito when known, required for 02 and 10
TERM_CONDITIONS = ('02', '10')
PAYMENT_CONDITIONS = ('09', '11')  # payment receipts only (p. 24)
CHARGES_WITHOUT_LINES = ('04', '08', '09', '10')  # a document may bill only these other charges (p. 26)
# Reference types whose number is a clave (p. 57).
CLAVE_REFERENCES = ('01', '02', '03', '04', '09', '11', '12', '15')
# Sale conditions whose VAT is paid when the customer pays: each payment needs a payment
# receipt (Recibo Electrónico de Pago) with the matching condition.
RECEIPT_CONDITIONS = {'08': '09', '10': '11'}


class AccountMove(models.Model):
    _inherit = 'account.move'

    l10n_cr_document_ids = fields.One2many(
        'l10n_cr.einvoice.document', 'move_id', string='Electronic documents', readonly=True)
    l10n_cr_document_id = fields.Many2one(
        'l10n_cr.einvoice.document', string='Electronic document', compute='_compute_l10n_cr_document_id')
    l10n_cr_state = fields.Selection(
        STATE_SELECTION, string='Hacienda', compute='_compute_l10n_cr_state', store=True, copy=False,
        help='State of the last electronic document of this invoice.')
    l10n_cr_clave = fields.Char(string='Clave', compute='_compute_l10n_cr_document_id')
    l10n_cr_consecutivo = fields.Char(
        string='Consecutivo', compute='_compute_l10n_cr_document_id')
    l10n_cr_error = fields.Text(
        string='E-invoice problem', compute='_compute_l10n_cr_document_id')
    l10n_cr_required = fields.Boolean(string='Issues an electronic document', compute='_compute_l10n_cr_required')
    l10n_cr_document_type = fields.Selection(
        DOCUMENT_TYPE_SELECTION, string='Electronic document type',
        compute='_compute_l10n_cr_document_type', store=True, readonly=False, copy=False,
        help='The Hacienda document posting will issue: Factura (identified customer), Tiquete '
             '(unidentified customer), Exportación (foreign customer), notes for refunds and debit '
             'notes, Factura de Compra for suppliers not registered for e-invoicing.')
    l10n_cr_sale_condition_id = fields.Many2one(
        'l10n_cr.einvoice.code', string='Sale condition', domain=[('list_name', '=', 'sale_conditions')],
        compute='_compute_l10n_cr_sale_condition_id', store=True, readonly=False, copy=False)
    l10n_cr_sale_condition_other = fields.Char(string='Sale condition description', help='Required for condition 99.')
    l10n_cr_payment_method_id = fields.Many2one(
        'l10n_cr.einvoice.code', string='Payment method (CR)', domain=[('list_name', '=', 'payment_methods')],
        compute='_compute_l10n_cr_payment_method_id', store=True, readonly=False)
    l10n_cr_payment_method_other = fields.Char(
        string='Payment method description', copy=False,
        help='How the customer pays when the payment method is 99 (other): Hacienda requires it (MedioPagoOtros, '
             '3 to 100 characters).')
    l10n_cr_reference_code_id = fields.Many2one(
        'l10n_cr.einvoice.code', string='Reference code', domain=[('list_name', '=', 'reference_codes')],
        compute='_compute_l10n_cr_reference_code_id', store=True, readonly=False, copy=False,
        help='Why a credit or debit note corrects the original: 01 cancels it, 04 refers to it, '
             '06 returned goods…')
    l10n_cr_reference_reason = fields.Char(string='Reference reason', copy=False, help='Razon (up to 180 characters).')
    l10n_cr_reference_document_type_id = fields.Many2one(
        'l10n_cr.einvoice.code', string='Original document type',
        domain=[('list_name', '=', 'reference_document_types')], copy=False,
        help='Only for a note correcting a document not issued from this database: its type.')
    l10n_cr_reference_number = fields.Char(string='Original document number', copy=False,
                                           help='Its clave (50 digits) or number.')
    l10n_cr_reference_date = fields.Datetime(string='Original document date', copy=False)
    l10n_cr_contingency = fields.Boolean(
        string='Replaces a contingency voucher', copy=False,
        help='The sale was documented on a provisional (paper) voucher while the system was down: '
             'the electronic document is issued in situación 2 and references that voucher.')
    l10n_cr_contingency_number = fields.Char(string='Contingency voucher number', copy=False)
    l10n_cr_contingency_date = fields.Datetime(string='Contingency voucher date', copy=False)
    l10n_cr_fec_reference_type_id = fields.Many2one(
        'l10n_cr.einvoice.code', string='Supplier document type',
        domain=[('list_name', '=', 'reference_document_types')],
        compute='_compute_l10n_cr_fec_reference_type_id', store=True, readonly=False, copy=False,
        help='Factura de Compra: what the supplier gave (14 voucher of a special-regime taxpayer, 16 '
             'voucher of a supplier not domiciled in Costa Rica, 99 other).')

    # The customer invoices list checks every invoice of the page for a duplicate (account's
    # _fetch_duplicate_reference: same company, type, partner, date and total). Without this
    # index PostgreSQL reads every move of the history to answer it.
    _l10n_cr_duplicate_sales_idx = models.Index('(invoice_date, amount_total) WHERE invoice_date IS NOT NULL')

    # -- computes ----------------------------------------------------------------------

    @api.depends('l10n_cr_document_ids.clave', 'l10n_cr_document_ids.error_message')
    def _compute_l10n_cr_document_id(self):
        for move in self:
            last = move.l10n_cr_document_ids.filtered(lambda d: d.document_type != '10').sorted('id')[-1:]
            move.l10n_cr_document_id = last
            move.l10n_cr_clave = last.clave
            move.l10n_cr_consecutivo = last.consecutivo
            move.l10n_cr_error = last.error_message

    @api.depends('l10n_cr_document_ids.state')
    def _compute_l10n_cr_state(self):
        for move in self:
            last = move.l10n_cr_document_ids.filtered(lambda d: d.document_type != '10').sorted('id')[-1:]
            move.l10n_cr_state = last.state or False

    @api.depends('company_id.l10n_cr_enabled', 'move_type', 'l10n_cr_document_type')
    def _compute_l10n_cr_required(self):
        for move in self:
            move.l10n_cr_required = bool(
                move.company_id.l10n_cr_enabled and move.l10n_cr_document_type)

    @api.depends('move_type', 'partner_id', 'debit_origin_id', 'company_id.l10n_cr_enabled')
    def _compute_l10n_cr_document_type(self):
        for move in self:
            if move.state != 'draft':
                # What was issued stays as it was issued; moves posted before e-invoicing stay without.
                move.l10n_cr_document_type = move.l10n_cr_document_type
                continue
            move.l10n_cr_document_type = move._l10n_cr_default_document_type()

    def _l10n_cr_default_document_type(self):
        """The document posting this move issues (False: none)."""
        self.ensure_one()
        if not self.company_id.l10n_cr_enabled:
            return False
        partner = self.partner_id.commercial_partner_id
        if self.move_type == 'out_refund':
            return '03'
        if self.move_type == 'out_invoice':
            return '02' if self.debit_origin_id else partner._l10n_cr_sale_document_type()
        if self.move_type == 'in_invoice' and partner.l10n_cr_fec:
            return '08'
        return False

    @api.depends('invoice_payment_term_id', 'invoice_date', 'invoice_date_due', 'move_type', 'partner_id')
    def _compute_l10n_cr_sale_condition_id(self):
        codes = self.env['l10n_cr.einvoice.code']
        for move in self:
            if move.state != 'draft' and move.l10n_cr_sale_condition_id:
                move.l10n_cr_sale_condition_id = move.l10n_cr_sale_condition_id
                continue
            condition = move.invoice_payment_term_id.l10n_cr_sale_condition_id
            partner = move.partner_id.commercial_partner_id
            if move.move_type == 'in_invoice' and partner.l10n_cr_fec and \
                    partner._l10n_cr_identification()[0] == '06':
                # Bought from a non-taxpayer: used goods, the only purchase such a seller documents (annex p. 20).
                condition = codes._l10n_cr_get('sale_conditions', '13')
            if not condition and move.is_invoice(include_receipts=True):
                credit = move.invoice_date_due and move.invoice_date and move.invoice_date_due > move.invoice_date
                condition = codes._l10n_cr_get('sale_conditions', '02' if credit else '01')
            move.l10n_cr_sale_condition_id = condition

    @api.depends('partner_id', 'company_id')
    def _compute_l10n_cr_payment_method_id(self):
        for move in self:
            if move.l10n_cr_payment_method_id and move.state != 'draft':
                move.l10n_cr_payment_method_id = move.l10n_cr_payment_method_id
                continue
            move.l10n_cr_payment_method_id = (
                move.partner_id.commercial_partner_id.l10n_cr_payment_method_id
                or move.company_id.l10n_cr_payment_method_id)

    @api.depends('move_type', 'reversed_entry_id', 'debit_origin_id', 'amount_total')
    def _compute_l10n_cr_reference_code_id(self):
        codes = self.env['l10n_cr.einvoice.code']
        for move in self:
            if move.l10n_cr_reference_code_id and move.state != 'draft':
                move.l10n_cr_reference_code_id = move.l10n_cr_reference_code_id
                continue
            code = False
            if move.move_type == 'out_refund':
                original = move.reversed_entry_id
                full = original and original.currency_id.compare_amounts(original.amount_total, move.amount_total) == 0
                code = '01' if full else '04'
            elif move.debit_origin_id:
                code = '04'
            move.l10n_cr_reference_code_id = code and codes._l10n_cr_get('reference_codes', code)

    @api.depends('partner_id', 'move_type')
    def _compute_l10n_cr_fec_reference_type_id(self):
        codes = self.env['l10n_cr.einvoice.code']
        for move in self:
            if move.l10n_cr_fec_reference_type_id or move.move_type != 'in_invoice':
                move.l10n_cr_fec_reference_type_id = move.l10n_cr_fec_reference_type_id
                continue
            partner = move.partner_id.commercial_partner_id
            if not partner.l10n_cr_fec:
                move.l10n_cr_fec_reference_type_id = False
                continue
            move.l10n_cr_fec_reference_type_id = codes._l10n_cr_get(
                'reference_document_types', '16' if partner._l10n_cr_is_foreign() else '14')

    # -- posting -----------------------------------------------------------------------

    def _post(self, soft=True):
        # Drafts made before the company turned e-invoicing on have no document type yet.
        for move in self.filtered(lambda m: m.state == 'draft' and not m.l10n_cr_document_type
                                  and m.company_id.l10n_cr_enabled):
            move.l10n_cr_document_type = move._l10n_cr_default_document_type()
        posted = super()._post(soft)
        to_issue = posted.filtered(lambda m: m.l10n_cr_required)
        for move in to_issue:
            move._l10n_cr_issue()
        if to_issue:
            self.env['l10n_cr.einvoice.document']._l10n_cr_schedule(fields.Datetime.now())
        return posted

    def _l10n_cr_issue(self):
        """Issue this invoice's electronic document (UserError, and no document, on problems)."""
        self.ensure_one()
        documents = self.l10n_cr_document_ids.filtered(lambda d: d.document_type != '10').sorted('id')
        last = documents[-1:]
        if last.state in ('to_send', 'sent', 'accepted'):
            return last
        reuse = last if last.state == 'error' and not last.submission_started else None
        rejected = documents.filtered(lambda d: d.state == 'rejected')[-1:]
        vals = {
            'move_id': self.id,
            'partner_id': self.partner_id.commercial_partner_id.id,
            'situation': '2' if self.l10n_cr_contingency else '1',
        }
        if rejected and not (reuse and reuse.replaced_document_id):
            vals['replaced_document_id'] = rejected.id
        establishment, terminal = self._l10n_cr_numbering_point()
        return self.env['l10n_cr.einvoice.document']._l10n_cr_issue(
            self.company_id, self.l10n_cr_document_type, establishment, terminal, vals, reuse=reuse)

    def _l10n_cr_numbering_point(self):
        """(establishment, terminal) whose numbering this move's documents take: its journal's.
        Other modules may say otherwise (an invoice made at a till, the till's terminal)."""
        self.ensure_one()
        return self.journal_id.l10n_cr_establishment or 1, self.journal_id.l10n_cr_terminal or 1

    def button_draft(self):
        for move in self:
            blocking = move.l10n_cr_document_ids.filtered(
                lambda d: d.state in ('to_send', 'sent', 'accepted') or (d.state == 'error' and d.submission_started))
            if blocking:
                raise UserError(self.env._(
                    "%(move)s has an electronic document that was sent to Hacienda or is being sent "
                    "(%(document)s, %(state)s). A sent document cannot be changed: issue a credit or debit "
                    "note instead. Only rejected documents, or documents that never left, allow a correction.",
                    move=move.display_name, document=blocking[-1].display_name,
                    state=dict(STATE_SELECTION)[blocking[-1].state]))
        return super().button_draft()

    def button_cancel(self):
        for move in self:
            if move.l10n_cr_document_ids.filtered(lambda d: d.state in ('to_send', 'sent', 'accepted')):
                raise UserError(self.env._(
                    "%s was issued to Hacienda: cancel it with a credit note.", move.display_name))
        return super().button_cancel()

    # -- actions ------------------------------------------------------------------------

    def action_l10n_cr_send_now(self):
        documents = self.l10n_cr_document_ids.filtered(lambda d: d.state in ('to_send', 'sent', 'error'))
        if not documents:
            raise UserError(self.env._("There is nothing to send to Hacienda for the selected invoices."))
        return self._l10n_cr_action_result(documents.action_l10n_cr_send_now())

    def action_l10n_cr_check_status(self):
        return self._l10n_cr_action_result(
            self.l10n_cr_document_ids.action_l10n_cr_check_status())

    @api.model
    def _l10n_cr_action_result(self, result):
        """The documents' notification when they have one (the queue was busy with them), else a reload."""
        if isinstance(result, dict) and result.get('tag') == 'display_notification':
            return result
        return {'type': 'ir.actions.client', 'tag': 'soft_reload'}

    def action_l10n_cr_validate(self):
        return self.l10n_cr_document_ids.filtered('xml_attachment_id').action_l10n_cr_validate()

    def action_l10n_cr_documents(self):
        documents = self.l10n_cr_document_ids | self.env['l10n_cr.einvoice.document'].search(
            [('payment_move_id', 'in', self.ids)])
        return documents._l10n_cr_open_action()

    # -- mapping to the library ------------------------------------------------------------

    def _l10n_cr_values(self, document):
        """(values, line labels) for ``hacienda_cr.documents.build_document``. UserError
        listing every problem (in the user's words) when the invoice cannot make a document."""
        self.ensure_one()
        problems = []
        doc_type = document.document_type
        company = self.company_id
        commercial = self.partner_id.commercial_partner_id
        root_name = DOCUMENT_TYPES[doc_type].root
        body = {
            'ProveedorSistemas': company._l10n_cr_provider(),
            'FechaEmision': document._l10n_cr_issue_date_text(),
        }
        company_party = SaleMapper(self.env).emisor(company)
        activity = company.l10n_cr_activity_id.code
        if doc_type == '08':
            # The company issues it for its supplier: the supplier is the Emisor.
            if commercial.l10n_cr_activity_id:
                body['CodigoActividadEmisor'] = commercial.l10n_cr_activity_id.code
            body['CodigoActividadReceptor'] = activity
            body['Emisor'] = commercial._l10n_cr_party('fec_emisor', problems=problems)
            company_party.pop('NombreComercial', None)
            company_party['CorreoElectronico'] = company._l10n_cr_emails()[0]
            body['Receptor'] = company_party
        else:
            body['CodigoActividadEmisor'] = activity
            if doc_type in ('01', '02', '03') and commercial.l10n_cr_activity_id:
                body['CodigoActividadReceptor'] = commercial.l10n_cr_activity_id.code
            body['Emisor'] = company_party
            receptor = SaleMapper(self.env).receptor(
                self.partner_id, doc_type, problems, company=company)
            if receptor:
                body['Receptor'] = receptor
            if doc_type == '01' and (receptor or {}).get('Identificacion', {}).get('Tipo') == '05':
                problems.append(self.env._(
                    "A Factura goes to a customer not domiciled in Costa Rica (identification type 05) only for goods "
                    "not yet nationalised: issue an export invoice or a ticket instead (\"Electronic document "
                    "type\")."))
        condition = self.l10n_cr_sale_condition_id.code or '01'
        body['CondicionVenta'] = condition
        self._l10n_cr_check_condition(document, condition, problems)
        if condition == '99':
            other = ' '.join((self.l10n_cr_sale_condition_other or '').split())
            if len(other) < 5:
                problems.append(self.env._(
                    "The sale condition 99 (other) needs its description: fill \"Sale condition description\" "
                    "(5 to 100 characters)."))
            body['CondicionVentaOtros'] = other[:100]
        if condition in CREDIT_CONDITIONS:
            days = (self.invoice_date_due - self.invoice_date).days if self.invoice_date_due and self.invoice_date else 0
            if days > 0:
                body['PlazoCredito'] = days
            elif condition in TERM_CONDITIONS:
                problems.append(self.env._(
                    "A sale on credit (condition %s) states its credit term in days, above zero: set a due date "
                    "after the invoice date, or a payment term with days.", condition))
        charges = self._l10n_cr_other_charges(problems)
        lines, labels = self._l10n_cr_lines(doc_type, problems, charges)
        if lines:
            body['DetalleServicio'] = {'LineaDetalle': lines}
        if charges:
            body['OtrosCargos'] = charges
        summary = {'CodigoTipoMoneda': self._l10n_cr_currency_values()}
        payment = self.l10n_cr_payment_method_id or company.l10n_cr_payment_method_id
        medio = {'TipoMedioPago': payment.code or '01'}
        if medio['TipoMedioPago'] == '99':
            other = ' '.join((self.l10n_cr_payment_method_other or '').split())
            if len(other) < 3:
                problems.append(self.env._(
                    "The payment method 99 (other) needs its description: fill \"Payment method description\" "
                    "(3 to 100 characters)."))
            medio['MedioPagoOtros'] = other[:100]
        summary['MedioPago'] = [medio]
        body['ResumenFactura'] = summary
        references = self._l10n_cr_references(document, problems)
        if references:
            body['InformacionReferencia'] = references
        if self.name and self.name != '/':
            body['Otros'] = {'OtroTexto': [{'#text': self.name[:500], '@codigo': 'ODOO'}]}
        if problems:
            raise UserError(document._l10n_cr_problems_text(
                self.env._("%(move)s cannot be issued as %(document)s:",
                           move=self.display_name, document=document._l10n_cr_type_label()),
                list(dict.fromkeys(problems))))
        return {root_name: body, 'Numeracion': document._l10n_cr_numeracion()}, labels

    def _l10n_cr_currency_values(self):
        return SaleMapper(self.env).currency(
            self.currency_id, self.company_id, self.invoice_date or fields.Date.context_today(self))

    def _l10n_cr_charge_lines(self):
        """Lines of products that are other charges (service charge, third-party charge…)."""
        return self.invoice_line_ids.filtered(
            lambda line: line.display_type == 'product' and line.product_id.l10n_cr_other_charge_type_id)

    def _l10n_cr_other_charges(self, problems):
        charges = []
        for number, line in enumerate(self._l10n_cr_charge_lines(), start=1):
            label = (line.product_id.display_name or line.name or '').split('\n')[0][:60]
            charges.append(SaleMapper(self.env).other_charge(
                where=self.env._("Other charge %(number)s (%(label)s)", number=number, label=label),
                product=line.product_id, description=line.name, amount=line.price_subtotal,
                taxes=line.tax_ids, problems=problems))
        if len(charges) > 15:
            problems.append(self.env._("Hacienda's document takes at most 15 other charges."))
        return charges

    def _l10n_cr_lines(self, doc_type, problems, charges=()):
        lines, labels = [], []
        product_lines = self.invoice_line_ids.filtered(lambda line: line.display_type == 'product')
        product_lines -= self._l10n_cr_charge_lines()
        # Only amounts collected for others (third parties, deposits, fines, interest) go without lines.
        charges_only = charges and doc_type in ('01', '02', '03', '04') and all(
            c['TipoDocumentoOC'] in CHARGES_WITHOUT_LINES for c in charges)
        if not product_lines and not charges_only:
            problems.append(self.env._("The document has no lines."))
        for number, line in enumerate(product_lines, start=1):
            label = (line.product_id.display_name or line.name or '').split('\n')[0][:60]
            labels.append(label)
            values = line._l10n_cr_line_values(number, label, doc_type, problems)
            if values:
                lines.append(values)
        return lines, labels

    def _l10n_cr_references(self, document, problems):
        """InformacionReferencia: the corrected document, the contingency voucher, the rejected
        document this one replaces, the authorization of a type 11 exoneration, or (Factura de
        Compra) the supplier's own document."""
        references = []
        doc_type = document.document_type
        in_2026 = document.schema_set != 'v4.4'
        if doc_type in ('02', '03'):
            original = self.reversed_entry_id if doc_type == '03' else self.debit_origin_id
            code = self.l10n_cr_reference_code_id.code or '04'
            reason = ' '.join((self.l10n_cr_reference_reason or self.ref or self.env._("Correction")).split())
            if len(reason) < 3:
                problems.append(self.env._(
                    "Say why this note corrects the original document: fill \"Reference reason\" (3 to 180 "
                    "characters)."))
            reference = {'Codigo': code, 'Razon': reason[:180]}
            if code == '99':
                if len(reason) < 5:
                    problems.append(self.env._(
                        "The reference code 99 (other) is described by the reference reason: give at least 5 "
                        "characters."))
                reference['CodigoReferenciaOTRO'] = reason[:100]
            if code == '12' and doc_type != '03':
                problems.append(self.env._(
                    "The reference code 12 (credit after a later exoneration) is for credit notes only."))
            if self.l10n_cr_reference_document_type_id:
                reference.update({
                    'TipoDocIR': self.l10n_cr_reference_document_type_id.code,
                    'Numero': (self.l10n_cr_reference_number or '')[:50],
                    'FechaEmisionIR': document._l10n_cr_datetime_text(self.l10n_cr_reference_date or self.invoice_date),
                })
                self._l10n_cr_check_outside_reference(reference, problems)
                if reference['TipoDocIR'] == '99':
                    reference['TipoDocRefOTRO'] = self.env._("Document issued outside this system")
            else:
                source = original.l10n_cr_document_ids.filtered(
                    lambda d: d.document_type != '10' and d.state in ('accepted', 'sent', 'to_send')).sorted('id')[-1:]
                if not source:
                    problems.append(self.env._(
                        "This note must reference the document it corrects, but %s has no electronic "
                        "document here. Give the original document's type, number and date in the "
                        "\"Hacienda\" tab.", original.display_name or self.env._("the original invoice")))
                else:
                    reference.update(SaleMapper(self.env).reference_to(source, in_2026))
            references.append(reference)
        if self.l10n_cr_contingency:
            if not self.l10n_cr_contingency_number:
                problems.append(self.env._("Give the number of the contingency voucher this document replaces."))
            references.append({
                'TipoDocIR': '08',
                'Numero': (self.l10n_cr_contingency_number or '')[:50],
                'FechaEmisionIR': document._l10n_cr_datetime_text(self.l10n_cr_contingency_date or self.invoice_date),
                'Codigo': '05',
                'Razon': self.env._("Replaces the contingency voucher"),
            })
        replaced = SaleMapper(self.env).replaced_reference(document)
        if replaced:
            references.append(replaced)
        if doc_type == '01':
            authorizations = self.invoice_line_ids.l10n_cr_exoneration_id.filtered(
                lambda e: e.document_type_id.code == '11')
            for exoneration in authorizations[:1]:
                # A type 11 exoneration (local tax authorization) is referenced by the invoice (annex p. 56).
                references.append({
                    'TipoDocIR': '99',
                    'TipoDocRefOTRO': self.env._("Exoneration authorization"),
                    'Numero': exoneration.number[:50],
                    'FechaEmisionIR': document._l10n_cr_datetime_text(exoneration.issue_date),
                    'Codigo': '04',
                    'Razon': self.env._("Exoneration authorized by the Dirección General de Hacienda"),
                })
        if doc_type == '08':
            ref_type = self.l10n_cr_fec_reference_type_id.code or '14'
            seller_type = self.partner_id.commercial_partner_id._l10n_cr_identification()[0]
            if seller_type == '05' and ref_type != '16':
                problems.append(self.env._(
                    "A purchase from a supplier not domiciled in Costa Rica (identification type 05) refers to their "
                    "voucher as type 16: set \"Supplier document type\" to 16."))
            reference = {
                'TipoDocIR': ref_type,
                'FechaEmisionIR': document._l10n_cr_datetime_text(self.invoice_date),
                'Codigo': '11' if ref_type == '16' else '04',
                'Razon': self.env._("Purchase from a supplier not registered for electronic invoicing"),
            }
            if self.ref:
                reference['Numero'] = self.ref[:50]
            else:
                problems.append(self.env._(
                    "A purchase invoice refers to the supplier's own voucher: give its number as the bill's "
                    "\"Bill Reference\"."))
            if ref_type == '99':
                reference['TipoDocRefOTRO'] = self.env._("Supplier's voucher")
            references.append(reference)
        return references[:10]

    def _l10n_cr_check_condition(self, document, condition, problems):
        """The sale conditions the annex keeps for some documents, and for some sellers (p. 20, 24, 69)."""
        doc_type = document.document_type
        allowed = code_list(f"{DOCUMENT_TYPES[doc_type].root}.CondicionVenta", document.schema_set or 'v4.4')
        seller_type = self.partner_id.commercial_partner_id._l10n_cr_identification()[0] if doc_type == '08' else None
        if condition not in allowed or condition in PAYMENT_CONDITIONS or (
                condition == '13' and doc_type in ('01', '04', '09')):
            problems.append(self.env._(
                "The sale condition %(condition)s (%(name)s) cannot be used on a %(document)s: choose another "
                "\"Sale condition\".", condition=condition, name=self.l10n_cr_sale_condition_id.name or '',
                document=document._l10n_cr_type_label()))
        if seller_type == '06' and condition != '13':
            problems.append(self.env._(
                "A purchase from a non-taxpayer (identification type 06) is a purchase of used goods: its sale "
                "condition is 13."))

    def _l10n_cr_check_outside_reference(self, reference, problems):
        """A note correcting a document from outside this database: what Hacienda checks of it (p. 56-57)."""
        kind, number = reference['TipoDocIR'], reference['Numero']
        if kind == '16':
            problems.append(self.env._("The original document type 16 is for purchase invoices only."))
        if kind in CLAVE_REFERENCES:
            try:
                Clave.parse(number)
            except InputError:
                problems.append(self.env._(
                    "The original document is an electronic document (type %s): give its clave, 50 characters, "
                    "as \"Original document number\".", kind))
        when = self.l10n_cr_reference_date or self.invoice_date
        today = fields.Date.context_today(self)
        if when and fields.Date.to_date(when) < today.replace(year=today.year - 10):
            problems.append(self.env._("Hacienda refuses references to documents more than 10 years old."))

    def _l10n_cr_qr_src(self):
        """The document's clave as a QR code image (data URI), for the PDF."""
        self.ensure_one()
        clave = self.l10n_cr_document_id.clave
        if not clave:
            return ''
        png = self.env['ir.actions.report'].barcode('QR', clave, width=220, height=220)
        return 'data:image/png;base64,' + base64.b64encode(png).decode('ascii')

    # -- payment receipts (Recibo Electrónico de Pago) ----------------------------------------

    def _l10n_cr_needs_receipts(self):
        self.ensure_one()
        return (self.move_type == 'out_invoice' and self.state == 'posted'
                and self.l10n_cr_sale_condition_id.code in RECEIPT_CONDITIONS
                and self.company_id.l10n_cr_enabled
                and self.l10n_cr_document_ids.filtered(lambda d: d.document_type != '10'))

    def _l10n_cr_issue_receipt(self, payment_move, amount):
        """Issue the payment receipt for ``amount`` (invoice currency) paid by ``payment_move``."""
        self.ensure_one()
        existing = self.env['l10n_cr.einvoice.document'].search([
            ('move_id', '=', self.id), ('payment_move_id', '=', payment_move.id), ('document_type', '=', '10'),
            ('state', '!=', 'error')], limit=1)
        if existing:
            return existing
        establishment, terminal = self._l10n_cr_numbering_point()
        return self.env['l10n_cr.einvoice.document']._l10n_cr_issue(
            self.company_id, '10', establishment, terminal,
            {'move_id': self.id, 'payment_move_id': payment_move.id, 'amount_paid': amount,
             'currency_id': self.currency_id.id, 'partner_id': self.partner_id.commercial_partner_id.id})

    def _l10n_cr_receipt_values(self, document):
        """The Recibo Electrónico de Pago for ``document.amount_paid`` of this invoice: one line
        per VAT rate of the invoice, each its share of the payment."""
        self.ensure_one()
        problems = []
        company = self.company_id
        invoice_doc = self.l10n_cr_document_ids.filtered(
            lambda d: d.document_type != '10' and d.clave).sorted('id')[-1:]
        if not invoice_doc:
            problems.append(self.env._("The invoice %s has no electronic document to refer to.", self.display_name))
        partner = self.partner_id.commercial_partner_id
        receptor = partner._l10n_cr_party('receptor', problems=problems)
        if receptor:
            receptor.pop('Ubicacion', None)
            receptor.pop('OtrasSenasExtranjero', None)
            receptor.pop('NombreComercial', None)
        emisor = SaleMapper(self.env).emisor(company)
        emisor = {k: v for k, v in emisor.items() if k in ('Nombre', 'Identificacion', 'CorreoElectronico')}
        share = document.amount_paid / self.amount_total if self.amount_total else 0
        groups = {}
        for line in self.invoice_line_ids.filtered(lambda line: line.display_type == 'product'):
            for tax in line.tax_ids.flatten_taxes_hierarchy().filtered(
                    lambda t: t.l10n_cr_tax_code_id.code in IVA_TAX_CODES):
                key = (tax.l10n_cr_tax_code_id.code, tax.l10n_cr_iva_rate_code_id.code)
                groups[key] = groups.get(key, 0.0) + line.price_subtotal
        lines = []
        for (code, rate_code), base in sorted(groups.items()):
            rate_text = f"{float(iva_rate(rate_code)):g}%" if rate_code else ''
            lines.append({
                'Detalle': self.env._("Payment of invoice %(number)s (VAT %(rate)s)",
                                      number=invoice_doc.consecutivo or self.name, rate=rate_text)[:200],
                'MontoTotal': money(base * share),
                'Impuesto': [{'Codigo': code, 'CodigoTarifaIVA': rate_code}],
            })
        if not lines:
            problems.append(self.env._("The invoice %s has no VAT lines to acknowledge.", self.display_name))
        journal = document.payment_move_id.journal_id
        payment_code = journal.l10n_cr_payment_method_id.code or self.l10n_cr_payment_method_id.code or '04'
        condition = RECEIPT_CONDITIONS.get(self.l10n_cr_sale_condition_id.code, '11')
        in_2026 = document.schema_set != 'v4.4'
        reference = {
            'Razon': self.env._("Payment of invoice %s", invoice_doc.consecutivo or self.name)[:180],
        }
        if invoice_doc:
            reference.update(SaleMapper(self.env).reference_to(invoice_doc, in_2026))
        if in_2026:
            reference['Codigo'] = '17'
        else:
            reference.update({'Codigo': '99', 'CodigoReferenciaOTRO': self.env._("Payment of a credit sale")})
        if problems:
            raise UserError(document._l10n_cr_problems_text(
                self.env._("The payment receipt for %s cannot be issued:", self.display_name), problems))
        body = {
            'ProveedorSistemas': company._l10n_cr_provider(),
            'FechaEmision': document._l10n_cr_issue_date_text(),
            'Emisor': emisor,
            'Receptor': receptor,
            'CondicionVenta': condition,
            'DetalleServicio': {'LineaDetalle': lines},
            'ResumenFactura': {
                'CodigoTipoMoneda': self._l10n_cr_currency_values(),
                'MedioPago': [{'TipoMedioPago': payment_code}],
            },
            'InformacionReferencia': [reference],
        }
        return {'ReciboElectronicoPago': body, 'Numeracion': document._l10n_cr_numeracion()}, []

    def action_l10n_cr_issue_receipts(self):
        """Issue the payment receipts due for the payments reconciled with these invoices."""
        issued = self.env['l10n_cr.einvoice.document']
        for move in self.filtered(lambda m: m._l10n_cr_needs_receipts()):
            for payment_move, amount in move._l10n_cr_payments():
                issued |= move._l10n_cr_issue_receipt(payment_move, amount)
        if issued:
            issued._l10n_cr_schedule(fields.Datetime.now())
        return {'type': 'ir.actions.client', 'tag': 'soft_reload'}

    def _l10n_cr_payments(self):
        """(payment entry, amount in the invoice currency) for each payment reconciled with this invoice."""
        self.ensure_one()
        amounts = {}
        receivable = self.line_ids.filtered(lambda line: line.account_id.account_type == 'asset_receivable')
        for partial in receivable.matched_credit_ids:
            counterpart = partial.credit_move_id.move_id
            if counterpart.is_invoice(include_receipts=True):
                continue  # a credit note, not a payment
            amounts[counterpart] = amounts.get(counterpart, 0.0) + partial.debit_amount_currency
        return list(amounts.items())


class AccountMoveLine(models.Model):
    _inherit = 'account.move.line'

    l10n_cr_discount_code_id = fields.Many2one(
        'l10n_cr.einvoice.code', string='Discount code', domain=[('list_name', '=', 'discount_codes')],
        help='CodigoDescuento of this line\'s discount (empty: the company\'s default, else 07 commercial).')
    l10n_cr_discount_nature = fields.Char(
        string='Discount nature',
        help='What this line\'s discount is when its code is 99 (other): Hacienda requires it (5 to 80 '
             'characters). Empty: the company\'s default.')
    l10n_cr_exoneration_id = fields.Many2one(
        'l10n_cr.einvoice.exoneration', string='Exoneration',
        compute='_compute_l10n_cr_exoneration_id', store=True, readonly=False,
        help='The customer\'s exoneration document that applies to this line\'s exonerated VAT.')

    @api.depends('tax_ids', 'partner_id', 'move_id.invoice_date')
    def _compute_l10n_cr_exoneration_id(self):
        for line in self:
            if line.l10n_cr_exoneration_id or not any(line.tax_ids.mapped('l10n_cr_exonerated')):
                line.l10n_cr_exoneration_id = line.l10n_cr_exoneration_id
                continue
            partner = line.move_id.partner_id
            date = line.move_id.invoice_date or fields.Date.context_today(line)
            # Else the customer's latest one: posting then says why it cannot be used (expired…).
            line.l10n_cr_exoneration_id = partner and (
                partner._l10n_cr_valid_exoneration(date) or partner._l10n_cr_latest_exoneration())

    def _l10n_cr_line_values(self, number, label, doc_type, problems):
        """One LineaDetalle; appends to ``problems`` what prevents it."""
        self.ensure_one()
        return SaleMapper(self.env).line(
            where=self.env._("Line %(number)s (%(label)s)", number=number, label=label),
            product=self.product_id,
            description=self.name,
            quantity=self.quantity,
            price_unit=self.price_unit,
            discount=self.discount,
            taxes=self.tax_ids,
            uom=self.product_uom_id,
            exoneration=self.l10n_cr_exoneration_id,
            discount_code=self.l10n_cr_discount_code_id or self.company_id.l10n_cr_discount_code_id,
            discount_nature=self.l10n_cr_discount_nature or self.company_id.l10n_cr_discount_nature,
            gift_price=self.product_id and self.company_id.currency_id._convert(
                self.product_id.lst_price, self.currency_id, self.company_id,
                self.move_id.invoice_date or fields.Date.context_today(self)),
            doc_type=doc_type,
            problems=problems,
            date=self.move_id.invoice_date or fields.Date.context_today(self),
        )
