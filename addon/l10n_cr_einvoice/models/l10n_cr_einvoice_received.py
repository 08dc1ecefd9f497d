import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from hacienda_cr.api import ApiError
from hacienda_cr.codes import code_list
from hacienda_cr.errors import InputError

from ..hacienda import api_text
from .document_types import ABBREVIATIONS, MENSAJE_BY_TYPE, RECEIVED_TYPE_SELECTION
from .money import money
from .xml_attachment import replace_xml_attachment

_logger = logging.getLogger(__name__)

HACIENDA_STATE_SELECTION = [
    ('unknown', 'Unknown'),
    ('aceptado', 'Accepted'),
    ('rechazado', 'Rejected'),
    ('procesando', 'Processing'),
    ('not_found', 'Not found'),
]
DECISION_SELECTION = [
    ('pending', 'Pending'),
    ('accepted', 'Accepted'),
    ('partially_accepted', 'Partially accepted'),
    ('rejected', 'Rejected'),
]
# CondicionImpuesto of a Mensaje Receptor: how the buyer uses the VAT it was charged.
TAX_CONDITION_SELECTION = [
    ('01', 'VAT credit (01)'),
    ('02', 'Partial VAT credit (02)'),
    ('03', 'Capital goods (03)'),
    ('04', 'Current expense, no credit (04)'),
    ('05', 'Proportional credit (05)'),
]
SOURCE_SELECTION = [('upload', 'Upload'), ('email', 'E-mail')]
# Hacienda's ind-estado of the supplier's document, as kept here.
STATE_FROM_HACIENDA = {
    'aceptado': 'aceptado', 'rechazado': 'rechazado', 'recibido': 'procesando', 'procesando': 'procesando',
    'not_found': 'not_found', 'error': 'unknown',
}
MESSAGE_TYPE_BY_DECISION = {'accepted': '05', 'partially_accepted': '06', 'rejected': '07'}
# Waits between automatic checks of a document Hacienda has not decided on (then the last one);
# after RECHECK_FOR the checks stop and "Check at Hacienda" asks by hand.
RECHECK_DELAYS = (60, 300, 1800, 7200, 21600, 86400)
RECHECK_FOR = timedelta(days=7)
RECHECK_BATCH = 50


class L10nCrEinvoiceReceived(models.Model):
    """One electronic document a supplier issued to the company, imported from its signed XML.

    The import checks the signature, the schema and the addressee, asks Hacienda for the
    document's state and creates the vendor bill. The company's answer (accept, partially
    accept, reject) is a Mensaje Receptor: an ``l10n_cr.einvoice.document`` of type 05, 06
    or 07 linked here, numbered, signed, sent and followed like the company's own documents."""

    _name = 'l10n_cr.einvoice.received'
    _inherit = ['mail.thread', 'mail.activity.mixin']
    _description = 'Received electronic document (Costa Rica)'
    _order = 'issue_date desc, id desc'
    _check_company_auto = True
    _rec_names_search = ['name', 'clave', 'consecutivo']

    name = fields.Char(compute='_compute_name', store=True)
    company_id = fields.Many2one(
        'res.company', required=True, readonly=True, index=True, default=lambda self: self.env.company)
    clave = fields.Char(required=True, readonly=True, index=True)
    consecutivo = fields.Char(readonly=True, help="The supplier's NumeroConsecutivo.")
    document_type = fields.Selection(RECEIVED_TYPE_SELECTION, required=True, readonly=True)
    supplier_id = fields.Many2one('res.partner', required=True, readonly=True, index=True)
    supplier_identification = fields.Char(
        string="Supplier's identification", readonly=True, help='Type and number of the identification the supplier wrote as issuer.')
    supplier_activity = fields.Char(
        string='Supplier activity', readonly=True, help='CodigoActividadEmisor of the document.')
    issue_date = fields.Datetime(string='Issued on', readonly=True, index=True, help='FechaEmision of the document.')
    schema_set = fields.Char(string='Schema set', readonly=True)
    currency_id = fields.Many2one('res.currency', required=True, readonly=True)
    exchange_rate = fields.Float(
        string='Exchange rate', digits=(18, 5), readonly=True,
        help='TipoCambio of the document: colones per unit of its currency.')
    company_currency_id = fields.Many2one(related='company_id.currency_id', string='Company currency')
    amount_untaxed = fields.Monetary(
        string='Untaxed amount', currency_field='currency_id', readonly=True,
        help='TotalComprobante minus TotalImpuesto: net sales, other charges, less VAT returned.')
    amount_tax = fields.Monetary(string='Taxes', currency_field='currency_id', readonly=True,
                                 help='TotalImpuesto of the document.')
    amount_total = fields.Monetary(string='Total', currency_field='currency_id', readonly=True,
                                   help='TotalComprobante of the document.')
    amount_total_company = fields.Monetary(
        string='Total in company currency', currency_field='company_currency_id', readonly=True,
        help="TotalComprobante at the document's own exchange rate.")
    tax_line_ids = fields.One2many('l10n_cr.einvoice.received.tax', 'received_id', string='Taxes by rate',
                                   readonly=True)
    hacienda_state = fields.Selection(
        HACIENDA_STATE_SELECTION, string="State at Hacienda", default='unknown', required=True, readonly=True,
        index=True, tracking=True, help="Hacienda's answer about the supplier's document, when last asked.")
    hacienda_message = fields.Text(string="Hacienda's message", readonly=True)
    hacienda_checked_date = fields.Datetime(string='Asked Hacienda on', readonly=True)
    hacienda_next_check = fields.Datetime(string='Next check at Hacienda', readonly=True, index=True)
    hacienda_check_count = fields.Integer(string='Checks at Hacienda', readonly=True)
    hacienda_response_attachment_id = fields.Many2one(
        'ir.attachment', string="Hacienda's answer to the supplier", readonly=True, copy=False)
    decision = fields.Selection(
        DECISION_SELECTION, default='pending', required=True, readonly=True, index=True, tracking=True,
        help="The company's answer to the supplier's document (its Mensaje Receptor).")
    decision_reason = fields.Text(string='Reason', readonly=True, help='DetalleMensaje of the Mensaje Receptor.')
    tax_condition = fields.Selection(
        TAX_CONDITION_SELECTION, string='VAT condition', readonly=True, help='CondicionImpuesto of the message.')
    amount_tax_credit = fields.Monetary(
        string='VAT credited', currency_field='currency_id', readonly=True,
        help='MontoTotalImpuestoAcreditar of the message.')
    amount_expense = fields.Monetary(
        string='Applicable expense', currency_field='currency_id', readonly=True,
        help='MontoTotalDeGastoAplicable of the message.')
    move_id = fields.Many2one(
        'account.move', string='Vendor bill', readonly=True, index='btree_not_null', ondelete='set null',
        check_company=True, copy=False)
    message_document_ids = fields.One2many(
        'l10n_cr.einvoice.document', 'received_id', string='Messages to Hacienda', readonly=True)
    message_document_id = fields.Many2one(
        'l10n_cr.einvoice.document', string='Mensaje Receptor', readonly=True, copy=False,
        help='The latest message carrying the decision to Hacienda.')
    message_state = fields.Selection(related='message_document_id.state', string='Message state')
    xml_attachment_id = fields.Many2one('ir.attachment', string='Signed XML', readonly=True, copy=False)
    xml_file = fields.Binary(related='xml_attachment_id.datas', string='Signed XML file')
    xml_filename = fields.Char(related='xml_attachment_id.name', string='XML file name')
    signer = fields.Char(string='Signed by', readonly=True,
                         help="Subject and taxpayer identification of the signing certificate.")
    check_warnings = fields.Text(
        string='Warnings', readonly=True,
        help='What the import found questionable without refusing the document (totals, business rules).')
    source = fields.Selection(SOURCE_SELECTION, default='upload', required=True, readonly=True)
    journal_id = fields.Many2one('account.journal', readonly=True, check_company=True)
    user_id = fields.Many2one(
        'res.users', string='Responsible', default=lambda self: self.env.user, tracking=True,
        help='Who is told when Hacienda answers the message.')

    _clave_company_uniq = models.Constraint(
        'UNIQUE(company_id, clave)', 'A supplier document (clave) is imported once per company.')

    @api.depends('document_type', 'consecutivo', 'clave')
    def _compute_name(self):
        for received in self:
            number = received.consecutivo or (received.clave or '')[21:41]
            received.name = f"{ABBREVIATIONS.get(received.document_type, '')} {number}".strip()

    @api.ondelete(at_uninstall=False)
    def _unlink_without_messages(self):
        if self.message_document_ids:
            raise UserError(self.env._(
                "A supplier document answered with a Mensaje Receptor is kept as the record of that answer."))

    # -- Hacienda's state of the supplier's document -----------------------------------------------

    def _l10n_cr_check_hacienda(self):
        """Ask Hacienda for the state of each supplier document, keep its answer, and schedule the
        next check while Hacienda has not decided."""
        for received in self.sudo():
            received._l10n_cr_check_hacienda_one()

    def _l10n_cr_check_hacienda_one(self):
        self.ensure_one()
        now = fields.Datetime.now()
        before = self.hacienda_state
        vals = {'hacienda_checked_date': now, 'hacienda_check_count': self.hacienda_check_count + 1}
        try:
            client = self.company_id._l10n_cr_client()
            result = client.status(self.clave)
        except UserError as exc:
            vals['hacienda_message'] = self.env._("Hacienda could not be asked: %s", exc.args[0])
        except ApiError as exc:
            vals['hacienda_message'] = self.env._("Hacienda could not be asked: %s",
                                                  api_text.describe_api_error(self.env, exc))
        except InputError as exc:
            vals['hacienda_message'] = self.env._("Hacienda could not be asked: %s", str(exc))
        else:
            vals['hacienda_state'] = STATE_FROM_HACIENDA.get(result.state, 'unknown')
            if result.state == 'not_found':
                vals['hacienda_message'] = self.env._(
                    "Hacienda does not know this document: the supplier has not sent it (yet). It is asked again "
                    "automatically for a week.")
            else:
                vals['hacienda_message'] = result.reason or False
            if result.verified is False and client.config.trusted_certs:
                # Hacienda's certificate is configured and the answer is not signed with it: not Hacienda's word.
                vals['hacienda_state'] = 'unknown'
                vals['hacienda_message'] = self.env._(
                    "The answer about this document is not signed by Hacienda's certificate, so it is not taken as "
                    "Hacienda's: %s", '; '.join(result.verification_errors))
            elif result.respuesta_xml:
                self._l10n_cr_store_hacienda_answer(result.respuesta_xml)
                if result.verified is False:
                    self.message_post(body=self.env._("The signature of Hacienda's answer could not be verified: %s",
                                             '; '.join(result.verification_errors)))
        state = vals.get('hacienda_state', before)
        waited = now - (self.create_date or now)
        if state in ('aceptado', 'rechazado') or waited > RECHECK_FOR:
            vals['hacienda_next_check'] = False
        else:
            delay = RECHECK_DELAYS[min(self.hacienda_check_count, len(RECHECK_DELAYS) - 1)]
            vals['hacienda_next_check'] = now + timedelta(seconds=delay)
        self.write(vals)
        if state == 'rechazado' and before != 'rechazado':
            message = self.env._("Hacienda rejected the supplier's document %(document)s: %(reason)s\nIt has no tax value: "
                        "reject it and ask the supplier for a new one.",
                        document=self.name, reason=self.hacienda_message or self.env._("no reason given"))
            self._l10n_cr_notify(self.env._("Supplier document rejected by Hacienda"), message)

    def _l10n_cr_store_hacienda_answer(self, xml):
        replace_xml_attachment(self, 'hacienda_response_attachment_id',
                               f"{ABBREVIATIONS.get(self.document_type, '')}-{self.clave}-respuesta.xml", xml)

    def _l10n_cr_notify(self, summary, message):
        self.ensure_one()
        self.message_post(body=message)
        user = self.user_id or self.create_uid
        if user and user.active and not user._is_superuser():
            self.activity_schedule('mail.mail_activity_data_todo', summary=summary, note=message, user_id=user.id)

    @api.model
    def _l10n_cr_check_due(self, limit=RECHECK_BATCH):
        """The queue's share: documents due for another check at Hacienda, each committed."""
        due = self.sudo().search([('hacienda_next_check', '!=', False),
                                  ('hacienda_next_check', '<=', fields.Datetime.now())],
                                 order='hacienda_next_check', limit=limit)
        Document = self.env['l10n_cr.einvoice.document']
        for received in due:
            try:
                with self.env.cr.savepoint():
                    received.with_context(lang=received.company_id._l10n_cr_lang())._l10n_cr_check_hacienda_one()
            except Exception:  # one document never stops the others
                _logger.exception("Supplier document %s: the check at Hacienda failed", received.display_name)
            Document._l10n_cr_commit()
        return due

    def action_l10n_cr_check_hacienda(self):
        self.check_access('write')  # the check runs as superuser: only for who may act on these
        self._l10n_cr_check_hacienda()
        return {'type': 'ir.actions.client', 'tag': 'soft_reload'} if len(self) == 1 else True

    # -- the decision (Mensaje Receptor) ---------------------------------------------------------

    def _l10n_cr_supplier_id_type(self):
        self.ensure_one()
        return (self.supplier_identification or '').partition('-')[0] or None

    def _l10n_cr_supplier_number(self):
        self.ensure_one()
        return (self.supplier_identification or '').rpartition('-')[2]

    def _l10n_cr_decision_problem(self, decision):
        """Why ``decision`` cannot be sent for this document now (None when it can)."""
        self.ensure_one()
        if self.document_type == '08':
            return self.env._("%s is a Factura de Compra issued in the company's name: it needs no Mensaje Receptor.",
                     self.name)
        last = self.message_document_id
        if last and last.state != 'rejected':
            return self.env._("%(document)s was already answered with %(message)s (%(state)s). Only a message Hacienda "
                     "rejected can be followed by another decision.", document=self.name, message=last.name,
                     state=dict(last._fields['state']._description_selection(self.env))[last.state])
        if decision in ('accepted', 'partially_accepted') and self.hacienda_state == 'rechazado':
            return self.env._("Hacienda rejected %s: it cannot be accepted. Reject it instead.", self.name)
        if decision in ('accepted', 'partially_accepted') and self.hacienda_state != 'aceptado':
            # A document Hacienda has not accepted may be a forgery or be rejected later.
            return self.env._(
                "Hacienda has not accepted %s yet: a supplier document can be accepted only once Hacienda "
                "reports it accepted. Use Check at Hacienda, or reject it.", self.name)
        return None

    def _l10n_cr_decide(self, decision, reason=None, tax_condition='01', amount_tax_credit=None):
        """Record the company's decision and issue its Mensaje Receptor (05 accepted, 06 partially
        accepted, 07 rejected) in this transaction; the queue sends it. Returns the message.

        VAT: condition 01 (credit) and 03 (capital goods) credit all of the document's VAT; 04
        (current expense) none, all of it is expense; 02 and 05 credit ``amount_tax_credit`` and
        the rest is expense."""
        self.ensure_one()
        problem = self._l10n_cr_decision_problem(decision)
        if problem:
            raise UserError(problem)
        reason = ' '.join((reason or '').split())
        if decision != 'accepted' and len(reason) < 5:
            raise UserError(self.env._("Say why the document is partially accepted or rejected: the supplier and Hacienda "
                              "read the reason."))
        vals = {'decision': decision, 'decision_reason': reason or False, 'tax_condition': False,
                'amount_tax_credit': 0.0, 'amount_expense': 0.0}
        if decision != 'rejected':
            tax = self.amount_tax
            if tax_condition in ('01', '03'):
                credit = tax
            elif tax_condition == '04':
                credit = 0.0
            else:
                credit = amount_tax_credit or 0.0
                if not 0 <= credit <= tax + 0.005:
                    raise UserError(self.env._("The VAT credited must be between 0 and the document's VAT (%s).",
                                      money(tax)))
            vals.update({'tax_condition': tax_condition, 'amount_tax_credit': credit,
                         'amount_expense': max(tax - credit, 0.0)})
        self.write(vals)
        establishment, terminal = (self.move_id._l10n_cr_numbering_point() if self.move_id else (
            self.journal_id.l10n_cr_establishment or 1, self.journal_id.l10n_cr_terminal or 1))
        rejected = self.message_document_id
        message = self.env['l10n_cr.einvoice.document']._l10n_cr_issue(
            self.company_id, MESSAGE_TYPE_BY_DECISION[decision], establishment, terminal, {
                'received_id': self.id,
                'partner_id': self.supplier_id.id,
                'currency_id': self.currency_id.id,
                'replaced_document_id': rejected.id if rejected else False,
            })
        self.message_document_id = message
        if decision == 'rejected' and self.move_id.state == 'draft':
            self.move_id.button_cancel()
        self.message_post(body=self.env._("Decision: %(decision)s. %(message)s is on its way to Hacienda.",
                                 decision=dict(self._fields['decision']._description_selection(self.env))[decision],
                                 message=message.name))
        message._l10n_cr_schedule(fields.Datetime.now())
        return message

    def _l10n_cr_message_values(self, document):
        """The MensajeReceptor ``document`` carries for this supplier document."""
        self.ensure_one()
        company = self.company_id
        mensaje = MENSAJE_BY_TYPE[document.document_type]
        body = {
            'Clave': self.clave,
            'NumeroCedulaEmisor': self._l10n_cr_supplier_number(),
            'FechaEmisionDoc': document._l10n_cr_issue_date_text(),
            'Mensaje': mensaje,
        }
        if self.decision_reason:
            body['DetalleMensaje'] = self.decision_reason[:160]
        if self.amount_tax:
            body['MontoTotalImpuesto'] = money(self.amount_tax)
        if mensaje != 3:
            if company.l10n_cr_activity_id:
                body['CodigoActividad'] = company.l10n_cr_activity_id.code
            body['CondicionImpuesto'] = self.tax_condition or '01'
            if self.amount_tax_credit:
                body['MontoTotalImpuestoAcreditar'] = money(self.amount_tax_credit)
            if self.amount_expense:
                body['MontoTotalDeGastoAplicable'] = money(self.amount_expense)
        body['TotalFactura'] = money(self.amount_total)
        body['NumeroCedulaReceptor'] = company._l10n_cr_identification()[1]
        return {'MensajeReceptor': body, 'Numeracion': document._l10n_cr_numeracion()}

    def action_l10n_cr_decide(self):
        """Open the decision form (the button says which decision)."""
        self.ensure_one()
        self.check_access('write')
        decision = self.env.context.get('l10n_cr_decision', 'accepted')
        problem = self._l10n_cr_decision_problem(decision)
        if problem:
            raise UserError(problem)
        return {
            'type': 'ir.actions.act_window',
            'name': self.env._("Answer %s", self.name),
            'res_model': 'l10n_cr.einvoice.received.decision',
            'view_mode': 'form',
            'target': 'new',
            'context': {'default_received_id': self.id, 'default_decision': decision},
        }

    def action_l10n_cr_accept_selected(self):
        """Accept the selected documents with full VAT credit (condition 01)."""
        self.check_access('write')
        pending = self.filtered(lambda r: r.document_type != '08' and (
            r.decision == 'pending' or r.message_document_id.state == 'rejected'))
        for received in pending:
            received._l10n_cr_decide('accepted')
        return {'type': 'ir.actions.client', 'tag': 'soft_reload'}

    def action_l10n_cr_open_bill(self):
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'res_model': 'account.move',
            'res_id': self.move_id.id,
            'views': [(False, 'form')],
        }


class L10nCrEinvoiceReceivedTax(models.Model):
    """The taxes of a received document summed per tax code and rate, from its lines, in the
    document's currency (the buyer's VAT credit and analyses are read from here)."""

    _name = 'l10n_cr.einvoice.received.tax'
    _description = 'Taxes of a received electronic document (Costa Rica)'
    _order = 'received_id, tax_code, iva_rate_code, rate'

    received_id = fields.Many2one(
        'l10n_cr.einvoice.received', string='Supplier document', required=True, ondelete='cascade', index=True)
    company_id = fields.Many2one(related='received_id.company_id', store=True)
    currency_id = fields.Many2one(related='received_id.currency_id', store=True)
    name = fields.Char(string='Tax', compute='_compute_name')
    tax_code = fields.Char(string='Tax code', required=True, help='CodigoImpuesto (01 VAT, 02 selective…).')
    iva_rate_code = fields.Char(string='VAT rate code', help='CodigoTarifaIVA (08 13%, 04 4%…).')
    rate = fields.Float(string='Rate (%)', digits=(6, 4))
    base_amount = fields.Monetary(string='Base', currency_field='currency_id')
    tax_amount = fields.Monetary(string='Tax amount', currency_field='currency_id',
                                 help='Charged: less any exoneration.')
    exonerated_amount = fields.Monetary(string='Exonerated', currency_field='currency_id')

    @api.depends('tax_code', 'iva_rate_code', 'rate')
    def _compute_name(self):
        taxes = code_list('tax_codes')
        rates = code_list('iva_rate_codes')
        for line in self:
            label = taxes.get(line.tax_code, line.tax_code or '')
            if line.iva_rate_code:
                label = f"{label}: {rates.get(line.iva_rate_code, line.iva_rate_code)}"
            elif line.rate:
                label = f"{label} {line.rate:g}%"
            line.name = label
