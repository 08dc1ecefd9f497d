import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

from markupsafe import Markup
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.orm.environments import Transaction
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL, config

from hacienda_cr.api import ConfigurationProblem, DocumentRejected, TransientError
from hacienda_cr.clave import new_security_code
from hacienda_cr.documents import default_schema_set
from hacienda_cr.errors import ConfigurationError, InputError
from hacienda_cr.issuing import XSD, DocumentRefused, issue_document
from hacienda_cr.signing import verify_xml
from hacienda_cr.validation import validate_document

from ..hacienda import api_text, issue_text, server_settings
from ..hacienda.key_text import CertificateProblem
from .document_types import ABBREVIATIONS, ALL_DOCUMENT_TYPE_SELECTION, CUSTOMER_DOCUMENTS
from .xml_attachment import replace_xml_attachment

_logger = logging.getLogger(__name__)

STATE_SELECTION = [
    ('to_send', 'To send'),
    ('sent', 'Sent'),
    ('accepted', 'Accepted'),
    ('rejected', 'Rejected'),
    ('error', 'Error'),
]
# The changes of state a document may go through (``_l10n_cr_set_state`` refuses any other):
# to_send → sent            POSTed, Hacienda received it (also "Check status" of one that may have arrived)
# to_send → rejected        refused at the POST (HTTP 400 with a reason)
# to_send / sent → error    a problem someone must solve (data, certificate, configuration, Hacienda…)
# sent → accepted / rejected   Hacienda's final answer
# sent → to_send            Hacienda does not know it long after the POST: submitted again (asking first)
# error → to_send           put back in the queue (after a correction; a reissue that keeps its number)
# error → sent              put back to follow its status: it had reached Hacienda
# accepted and rejected are final: a correction is a new document.
STATE_CHANGES = {
    'to_send': ('sent', 'rejected', 'error'),
    'sent': ('to_send', 'accepted', 'rejected', 'error'),
    'error': ('to_send', 'sent'),
    'accepted': (),
    'rejected': (),
}
ERROR_KINDS = [
    ('data', 'Document data'),
    ('certificate', 'Signing certificate'),
    ('configuration', 'Configuration'),
    ('connection', 'Connection to Hacienda'),
    ('rejected', 'Rejected by Hacienda'),
    ('hacienda', 'Processing error at Hacienda'),
    ('internal', 'Unexpected error'),
]
SITUATION_SELECTION = [('1', 'Normal'), ('2', 'Contingency'), ('3', 'Without internet')]
# The bus subchannel of a record whose forms follow its documents' state, and the notification
# they get (static/src/live_state: the form reloads itself).
LIVE_STATE_CHANNEL = 'l10n_cr_einvoice_state'
LIVE_STATE_NOTIFICATION = 'l10n_cr_einvoice.state'

# Waits before the next attempt after a transient failure (then the last one, repeated).
SUBMIT_BACKOFF = (30, 60, 120, 300, 600, 1800, 3600)
# Waits between status queries while Hacienda is processing (seconds).
POLL_DELAYS = {
    'simulator': (1, 2, 5, 10, 30, 60, 300),
    'remote': (5, 10, 30, 60, 120, 300, 600, 1800, 3600),
}
CLAVE_LENGTH = 50
CONSECUTIVO_LENGTH = 20
NOT_FOUND_GRACE = timedelta(minutes=10)  # Hacienda may not show a document right after the 202
MAX_HACIENDA_ERRORS = 5  # ind-estado "error" this often in a row → stop and tell someone
MAX_FINAL_WITHOUT_ANSWER = 5  # a final state without its MensajeHacienda: wait for it this many polls
NOTIFY_TRANSIENT_AFTER = 10  # attempts; tell someone that Hacienda has been unreachable for long
CRON_TIME_BUDGET = 240  # seconds per cron run
# A run ends with documents due that another transaction holds (the other cron job, a user's Send
# now): the queue looks again this much later, not at once (the run would only skip them again).
HELD_RECHECK = 1
# While Hacienda cannot be reached, one document per company (the probe) tries again this often, so
# that the queue knows within seconds when it is back; the others follow their backoff until then.
PROBE_INTERVAL = 10
# Another transaction changed or held what a document's processing wrote: try again this much later.
BUSY_RETRY = 5
# Waits before the e-mail after acceptance is tried again (then the last one, repeated).
EMAIL_BACKOFF = (10, 60, 300, 900, 3600)
NOTIFY_EMAIL_AFTER = 5  # failed e-mail attempts; then someone is told
# The queue makes the PDFs of the e-mails due PDF_BATCH at a time, PDF_THREADS side by side (most
# of the time a PDF takes is wkhtmltopdf waiting Odoo's report.print_delay, 1 s), then e-mails them.
PDF_BATCH = 8
PDF_THREADS = 4
# The queue's other cron jobs: with several cron workers they drain a backlog alongside the main one.
QUEUE_HELPERS = ('l10n_cr_einvoice.ir_cron_l10n_cr_einvoice_queue_helper',)


class L10nCrEinvoiceDocument(models.Model):
    """One submission of one electronic document to Hacienda.

    Created when an invoice is posted (or a payment receipt is due): the consecutivo is
    reserved, the document built, validated and signed in that same transaction. The queue
    then submits it and follows it to Hacienda's final answer. A document never changes
    its clave; correcting a rejected document issues a new one that references it."""

    _name = 'l10n_cr.einvoice.document'
    _inherit = ['mail.thread', 'mail.activity.mixin']
    _description = 'Electronic document (Costa Rica)'
    _order = 'id desc'
    _check_company_auto = True
    _rec_names_search = ['name', 'clave', 'consecutivo']

    name = fields.Char(compute='_compute_name', store=True, index='trigram')
    company_id = fields.Many2one('res.company', required=True, readonly=True, index=True)
    move_id = fields.Many2one(
        'account.move', string='Invoice', readonly=True, index='btree_not_null', ondelete='restrict',
        check_company=True)
    payment_move_id = fields.Many2one(
        'account.move', string='Payment entry', readonly=True, index='btree_not_null', ondelete='restrict',
        help='For a payment receipt: the journal entry of the payment it acknowledges.')
    amount_paid = fields.Monetary(
        string='Amount paid', readonly=True, currency_field='currency_id',
        help='For a payment receipt: the part of the payment applied to the invoice.')
    currency_id = fields.Many2one('res.currency', readonly=True)
    partner_id = fields.Many2one('res.partner', readonly=True, index='btree_not_null')
    document_type = fields.Selection(ALL_DOCUMENT_TYPE_SELECTION, required=True, readonly=True)
    establishment = fields.Integer(readonly=True)
    terminal = fields.Integer(readonly=True)
    number = fields.Integer(readonly=True)
    situation = fields.Selection(SITUATION_SELECTION, default='1', required=True, readonly=True)
    security_code = fields.Char(string='Security code', readonly=True)
    issue_date = fields.Datetime(string='Issued on', readonly=True, help='FechaEmision of the document.')
    schema_set = fields.Char(string='Schema set', readonly=True)
    consecutivo = fields.Char(readonly=True, index=True)
    clave = fields.Char(readonly=True, index=True)
    state = fields.Selection(STATE_SELECTION, default='to_send', required=True, readonly=True, index=True, tracking=True)
    hacienda_status = fields.Char(string='Hacienda status', readonly=True, help='Last ind-estado reported by Hacienda.')
    hacienda_message = fields.Text(string='Hacienda\'s message', readonly=True)
    error_kind = fields.Selection(ERROR_KINDS, string='Kind of problem', readonly=True)
    error_message = fields.Text(string='Problem', readonly=True)
    xml_attachment_id = fields.Many2one('ir.attachment', string='Signed XML', readonly=True, copy=False)
    xml_file = fields.Binary(related='xml_attachment_id.datas', string='Signed XML file')
    xml_filename = fields.Char(related='xml_attachment_id.name', string='XML file name')
    response_attachment_id = fields.Many2one('ir.attachment', string='Hacienda answer', readonly=True, copy=False)
    response_file = fields.Binary(related='response_attachment_id.datas', string='Hacienda answer file')
    response_filename = fields.Char(related='response_attachment_id.name', string='Answer file name')
    submission_started = fields.Boolean(
        string='Submission started', readonly=True, copy=False,
        help='A submission was started: before sending again, Hacienda is asked whether it has the document.')
    attempt_count = fields.Integer(string='Attempts', readonly=True)
    last_attempt_date = fields.Datetime(
        string='Last sent on', readonly=True, copy=False,
        help='When the document was last posted to Hacienda: a 404 soon after is asked again before resending.')
    poll_count = fields.Integer(string='Status queries', readonly=True)
    hacienda_error_count = fields.Integer(string='Errors reported by Hacienda', readonly=True, help='Status answers "error" in a row.')
    next_try = fields.Datetime(string='Next attempt', readonly=True, index=True)
    submitted_date = fields.Datetime(string='Submitted on', readonly=True)
    answered_date = fields.Datetime(string='Answered on', readonly=True)
    email_sent = fields.Boolean(string='E-mailed', readonly=True, copy=False)
    email_next_try = fields.Datetime(
        string='E-mail due', readonly=True, copy=False,
        help='When the queue e-mails the accepted document to the customer (again, after a failure).')
    email_failures = fields.Integer(string='Failed e-mail attempts', readonly=True, copy=False)
    email_error = fields.Text(string='E-mail problem', readonly=True, copy=False)
    replaced_document_id = fields.Many2one(
        'l10n_cr.einvoice.document', string='Replaces', readonly=True, index='btree_not_null',
        help='The rejected document this one corrects and replaces.')

    # A Mensaje Receptor carries the clave of the supplier's document it answers (a second one
    # follows a rejected first): only the company's own documents have a clave of their own.
    _own_clave_uniq = models.UniqueIndex(
        "(clave) WHERE document_type NOT IN ('05', '06', '07')", 'A clave identifies a single document.')
    _consecutivo_uniq = models.Constraint(
        'UNIQUE(company_id, consecutivo)', 'A consecutivo is used once per company.')
    _queue_idx = models.Index('(state, next_try) WHERE state IN (\'to_send\', \'sent\')')
    _email_queue_idx = models.Index('(email_next_try) WHERE email_next_try IS NOT NULL')

    @api.depends('document_type', 'consecutivo')
    def _compute_name(self):
        for doc in self:
            doc.name = f"{ABBREVIATIONS.get(doc.document_type, '')} {doc.consecutivo or ''}".strip()

    @api.model
    def _search_display_name(self, operator, value):
        """A number typed in the search box (or a many2one's), through indexes however long the
        history: a whole clave (50 letters or digits, in either case) is the document with that
        clave, a whole consecutivo (20 digits) the one with that number -- their btree indexes;
        anything else is looked for in the name ("FE 00100001010000000123": type and
        consecutivo) through its trigram index. Not in the clave: every clave of a company
        shares its date, cédula and establishment digits, so the trigrams of a few digits are in
        all of them and such an index would make PostgreSQL recheck every document. A Mensaje
        Receptor carries the clave of the supplier's document it answers: that clave finds it."""
        if operator != 'ilike' or not isinstance(value, str) or not value.strip():
            return super()._search_display_name(operator, value)
        text = value.strip()
        if text.isascii() and text.isalnum() and len(text) == CLAVE_LENGTH:
            return Domain('clave', 'in', list({text, text.upper(), text.lower()}))
        if text.isascii() and text.isdigit() and len(text) == CONSECUTIVO_LENGTH:
            return Domain('consecutivo', '=', text)
        return Domain('name', 'ilike', value)

    def write(self, vals):
        if 'state' in vals and not self.env.context.get('l10n_cr_einvoice_state_change'):
            # Whoever writes the state goes through the one method that checks the change.
            vals = dict(vals)
            self._l10n_cr_set_state(vals.pop('state'), **vals)
            return True
        result = super().write(vals)
        if 'state' in vals:
            self._l10n_cr_push_state()
        return result

    def _l10n_cr_set_state(self, state, **vals):
        """Move these documents to ``state``, writing ``vals`` with it, if ``STATE_CHANGES`` allows
        the change for each of them; else UserError and nothing is written."""
        self.check_access('write')
        refused = self.filtered(lambda d: state not in STATE_CHANGES[d.state])
        if refused:
            states = dict(self._fields['state']._description_selection(self.env))
            raise UserError('\n'.join(self.env._(
                "%(document)s cannot go from %(current)s to %(new)s.", document=doc.display_name or doc.id,
                current=states[doc.state], new=states.get(state, state)) for doc in refused))
        return self.with_context(l10n_cr_einvoice_state_change=True).write({**vals, 'state': state})

    def _l10n_cr_push_state(self):
        """Tell the forms open on these documents, and on the records they are seen from (the
        invoice…), that the state changed: they reload themselves (Odoo's bus, once committed)."""
        bus = self.env['bus.bus'].sudo()
        for doc in self:
            for record in [doc, *doc._l10n_cr_related_records()]:
                bus._sendone((record, LIVE_STATE_CHANNEL), LIVE_STATE_NOTIFICATION,
                             {'model': record._name, 'id': record.id, 'state': doc.state})

    @api.ondelete(at_uninstall=False)
    def _unlink_never_sent_only(self):
        if any(doc.submission_started or doc.state in ('sent', 'accepted', 'rejected') for doc in self):
            raise UserError(self.env._("Documents that were sent to Hacienda are kept as the record of what was sent."))

    # -- issuing -----------------------------------------------------------------------

    @api.model
    def _l10n_cr_issue(self, company, document_type, establishment, terminal, vals, reuse=None):
        """Reserve the consecutivo, then build, validate and sign the document — all in the
        caller's transaction, so a problem leaves no document and no gap in the numbering.

        ``vals`` links the document to its source (``move_id``, ``payment_move_id``, or a
        POS order in the POS module) and may set ``situation``, ``partner_id``,
        ``replaced_document_id``, ``amount_paid``, ``currency_id``, and ``issue_date`` (the
        FechaEmision, e.g. the sale date of an order that reached the server late; now by
        default). ``reuse`` is a document of the same source that never reached Hacienda: it
        keeps its number and date."""
        issue_date = fields.Datetime.to_datetime(vals.pop('issue_date', None)) or fields.Datetime.now()
        problems = company._l10n_cr_configuration_problems(document_type)
        if problems:
            raise UserError(self._l10n_cr_problems_text(
                self.env._("Electronic invoicing is not fully configured for %s:", company.name), problems))
        key = company._l10n_cr_signing_key()  # certificate problems before anything is reserved
        if reuse:
            doc = reuse.sudo()
            doc._l10n_cr_set_state('to_send', **vals, error_kind=False, error_message=False, next_try=False,
                                   attempt_count=0)
        else:
            numbering = self.env['l10n_cr.einvoice.numbering']._l10n_cr_get(
                company, establishment, terminal, document_type)
            schema = company.l10n_cr_schema_set
            doc = self.sudo().create({
                **vals,
                'company_id': company.id,
                'document_type': document_type,
                'establishment': establishment,
                'terminal': terminal,
                'security_code': new_security_code(),
                'issue_date': issue_date,
                # The set in force on the issue date in Costa Rica (issue_date is naive UTC).
                'schema_set': default_schema_set(issue_date.replace(tzinfo=timezone.utc)) if schema == 'auto' else schema,
            })
            numbering._l10n_cr_assign_number(doc)
        doc._l10n_cr_build_and_sign(key)
        return doc

    def _l10n_cr_source_values(self):
        """The library's input for this document: ``{root: {...}, 'Numeracion': {...}}``.

        Returns (values, line_labels). Extended by the source models' modules (the POS
        module adds POS orders)."""
        self.ensure_one()
        if self.document_type == '10' and self.payment_move_id:
            return self.move_id._l10n_cr_receipt_values(self)
        if self.move_id:
            return self.move_id._l10n_cr_values(self)
        raise UserError(self.env._("The document %s has no invoice or payment to build it from.", self.display_name))

    def _l10n_cr_numeracion(self):
        self.ensure_one()
        return {
            'Sucursal': self.establishment,
            'Terminal': self.terminal,
            'Numero': self.number,
            'Situacion': self.situation,
            'CodigoSeguridad': self.security_code,
        }

    def _l10n_cr_issue_date_text(self):
        """FechaEmision as ISO 8601 with the UTC offset (the library writes it in -06:00)."""
        self.ensure_one()
        return self._l10n_cr_datetime_text(self.issue_date)

    @api.model
    def _l10n_cr_datetime_text(self, value):
        """An Odoo datetime (naive UTC; now when empty) as the library reads it: ISO 8601 with
        its offset. A date alone: the start of that day in Costa Rica, never after a document
        issued on the same day (midday was after every purchase invoiced in the morning)."""
        if not value:
            value = fields.Datetime.now()
        if not isinstance(value, datetime):
            return fields.Date.to_string(value) + 'T00:00:00'
        return fields.Datetime.to_datetime(value).isoformat() + '+00:00'

    def _l10n_cr_build_and_sign(self, key=None):
        """Build from the source, validate against the XSD, sign, store the XML. UserError on problems.

        The texts the document carries to Hacienda (reasons, descriptions) are in the company's
        language; what prevents it is said in the reader's."""
        self.ensure_one()
        key = key or self.company_id._l10n_cr_signing_key()
        try:
            values, line_labels = self._l10n_cr_in_company_lang()._l10n_cr_source_values()
        except UserError:
            if self.env.lang != self.company_id._l10n_cr_lang():
                self._l10n_cr_source_values()  # raises the same problems in the user's language
            raise
        try:
            issued = issue_document(
                values, key, schema_set=self.schema_set or None, xsd_dir=server_settings.schema_dir())
        except DocumentRefused as exc:
            if exc.stage == XSD:
                title = self.env._("The %(document)s does not match Hacienda's schema:", document=self._l10n_cr_type_label())
            else:
                title = self.env._("The %(document)s cannot be issued:", document=self._l10n_cr_type_label())
            raise UserError(self._l10n_cr_problems_text(
                title, issue_text.describe_issues(self.env, exc.issues, line_labels))) from None
        except ConfigurationError as exc:
            raise UserError(self.env._(
                "Hacienda's XSD schemas are not available on this server (%s): the server's administrator sets "
                "l10n_cr_einvoice_schema_dir in its configuration.", str(exc))) from None
        built = issued.built
        self._l10n_cr_store_xml(issued.xml, built.clave, built.consecutivo, built.schema_set)

    def _l10n_cr_store_xml(self, signed, clave, consecutivo, schema_set):
        replace_xml_attachment(self.sudo(), 'xml_attachment_id', f"{ABBREVIATIONS[self.document_type]}-{clave}.xml", signed,
                               clave=clave, consecutivo=consecutivo, schema_set=schema_set)

    def _l10n_cr_in_company_lang(self):
        """This document in an environment speaking its company's language (see
        ``res.company._l10n_cr_lang``): for what it writes and sends."""
        self.ensure_one()
        return self.with_context(lang=self.company_id._l10n_cr_lang())

    def _l10n_cr_type_label(self):
        return dict(self._fields['document_type']._description_selection(self.env)).get(self.document_type, '')

    @api.model
    def _l10n_cr_problems_text(self, title, problems):
        return '\n'.join([title, *(f"• {p}" for p in problems)])

    # -- the queue ---------------------------------------------------------------------

    @api.model
    def _cron_l10n_cr_process_queue(self):
        # Supplier documents Hacienda had not decided on are asked about again first (a few calls).
        self.env['l10n_cr.einvoice.received']._l10n_cr_check_due()
        self._l10n_cr_process_queue(time_budget=CRON_TIME_BUDGET)

    @api.model
    def _cron_l10n_cr_help_queue(self):
        """A helper of the queue (another cron job, run by another cron worker): what is due now,
        alongside the main job; the row locks share the documents out. Like the main job, it ends
        by waking the main job when the next document is due."""
        self._l10n_cr_process_queue(time_budget=CRON_TIME_BUDGET, helper=True)

    @api.model
    def _l10n_cr_can_commit(self):
        """Commit per document in production; never inside a test transaction, except where a
        test runs this on its own real cursor to prove what the commits guarantee."""
        if self.env.context.get('l10n_cr_einvoice_allow_commit'):
            return True
        return self.env['account.move']._can_commit()

    @api.model
    def _l10n_cr_commit(self, processed=0):
        """Commit (reporting cron progress when run by the cron); False when commits are not allowed."""
        if not self._l10n_cr_can_commit():
            return False
        if self.env.context.get('ir_cron_progress_id'):
            self.env['ir.cron']._commit_progress(processed)
        else:
            # Per-document commits are the design (see the class docstring): each outcome must
            # be durable before the next document, and the submission mark before the POST.
            self.env.cr.commit()  # pylint: disable=invalid-commit
        return True

    @api.model
    def _l10n_cr_due_domain(self, now):
        """Documents to submit or follow, and accepted documents whose e-mail is due."""
        return [
            '|',
            '&', ('state', 'in', ('to_send', 'sent')), '|', ('next_try', '=', False), ('next_try', '<=', now),
            '&', ('state', '=', 'accepted'), ('email_next_try', '<=', now),
        ]

    def _l10n_cr_is_due(self, now):
        self.ensure_one()
        if self.state in ('to_send', 'sent'):
            return not self.next_try or self.next_try <= now
        return self._l10n_cr_email_due(now)

    def _l10n_cr_due_since(self):
        self.ensure_one()
        if self.state in ('to_send', 'sent'):
            return self.next_try or self.create_date
        return self.email_next_try or self.create_date

    def _l10n_cr_email_due(self, now):
        self.ensure_one()
        return self.state == 'accepted' and bool(self.email_next_try) and self.email_next_try <= now

    @api.model
    def _l10n_cr_next_due_time(self):
        """The earliest time something waiting (a retry, a status query, an e-mail) is due; None: nothing."""
        Document = self.sudo()
        times = [
            Document.search([('state', 'in', ('to_send', 'sent')), ('next_try', '!=', False)],
                            order='next_try', limit=1).next_try,
            Document.search([('state', '=', 'accepted'), ('email_next_try', '!=', False)],
                            order='email_next_try', limit=1).email_next_try,
        ]
        return min((t for t in times if t), default=None)

    @api.model
    def _l10n_cr_process_queue(self, time_budget=CRON_TIME_BUDGET, limit=None, helper=False):
        """Submit what is due, follow what was sent, e-mail what was accepted; one document at a
        time, each committed.

        Documents another worker holds are skipped (``FOR UPDATE SKIP LOCKED``); a failure
        of one document never stops the others. The run never waits for work due later: it ends
        and wakes the queue's cron when that is due (``_l10n_cr_schedule_next_run``), so the cron
        worker is free meanwhile and what becomes due sooner (a posting, a document woken when
        Hacienda answers again) is not kept waiting behind a sleeping run. Returns counts for
        callers and tests, and ``next_run``: when the run woke the cron for (None: nothing waits)."""
        started = time.monotonic()
        stats = {'processed': 0, 'skipped': 0, 'next_run': None}
        # Documents do not wake the cron one by one while it runs: it schedules itself at the end.
        self = self.with_context(l10n_cr_einvoice_in_queue=True)
        batch_pdfs = self._l10n_cr_can_commit()
        while True:
            now = fields.Datetime.now()
            docs = self.sudo().search(self._l10n_cr_due_domain(now), limit=limit)
            if len(docs) > 1 and not helper:
                self._l10n_cr_call_helpers()
            # The longest due first (a stream of new postings must not starve the status queries
            # and e-mails waiting since before them); submissions in consecutivo order among equals.
            docs = docs.sorted(lambda d: (d._l10n_cr_due_since(), d.company_id.id, d.establishment, d.terminal,
                                          d.document_type, d.number))
            # The e-mails due in this pass, in that order: their PDFs are made PDF_BATCH at a time.
            emails = [doc for doc in docs if doc.state == 'accepted'] if batch_pdfs else []
            email_ids, batched = {doc.id for doc in emails}, set()
            out_of_time = False
            processed, skipped = stats['processed'], stats['skipped']
            emails_planned = []  # accepted in this pass: their e-mails are due, made in the next
            for doc in docs:
                if time.monotonic() - started > time_budget:
                    out_of_time = True
                    break
                if doc.id in email_ids and doc.id not in batched:
                    batch = [e for e in emails if e.id not in batched][:PDF_BATCH]
                    batched.update(e.id for e in batch)
                    if len(batch) > 1:
                        self.browse([e.id for e in batch])._l10n_cr_prepare_emails()
                following = doc.state in ('to_send', 'sent')
                outcome = doc._l10n_cr_process_locked(now)
                stats[outcome] += 1
                if following and outcome == 'processed' and doc.state == 'accepted' and doc.email_next_try:
                    emails_planned.append(doc.id)
            if out_of_time:
                stats['next_run'] = self._l10n_cr_schedule_next_run(unfinished=True)
                break
            if stats['processed'] > processed and self.sudo().search_count(
                    [*self._l10n_cr_due_domain(fields.Datetime.now()),
                     '|', ('id', 'not in', docs.ids), ('id', 'in', emails_planned)], limit=1):
                continue  # due meanwhile: posted, woken when Hacienda answered again, or just accepted
            stats['next_run'] = self._l10n_cr_schedule_next_run(held=stats['skipped'] > skipped)
            break
        self._l10n_cr_commit()
        return stats

    @api.model
    def _l10n_cr_schedule_next_run(self, unfinished=False, held=False):
        """The end of a queue run: wake the queue's cron when the next document is due, and return
        that time (None: nothing waits). ``unfinished``: out of time with documents due, at once.
        Documents already due again when the run ends were left by it: held by another transaction
        (``held``: its last pass skipped some), which wakes the cron for what it leaves due when it
        commits — the queue looks again after ``HELD_RECHECK`` in case that transaction dies — or
        due again after the run went past them (a document woken when Hacienda answered), at once.

        Triggers at a later time do not notify the cron workers: they take them when they next
        look for due jobs, every second or two when the addon is loaded server-wide
        (``server_wide.cron_poll_interval``)."""
        now = fields.Datetime.now()
        if unfinished:
            when = now
        elif self.sudo().search_count(self._l10n_cr_due_domain(now), limit=1):
            when = now + timedelta(seconds=HELD_RECHECK) if held else now
        else:
            when = self._l10n_cr_next_due_time()
        if when:
            self.with_context(l10n_cr_einvoice_in_queue=False)._l10n_cr_schedule(when)
        return when

    @api.model
    def _l10n_cr_schedule(self, when):
        """Wake the queue's cron at ``when`` (at once when past)."""
        if self.env.context.get('l10n_cr_einvoice_in_queue'):
            return
        cron = self.env.ref('l10n_cr_einvoice.ir_cron_l10n_cr_einvoice_queue', raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger(at=max(when, fields.Datetime.now()))

    @api.model
    def _l10n_cr_call_helpers(self):
        """A backlog: wake the queue's helper jobs, when there are cron workers to run them."""
        if config['max_cron_threads'] < 2:
            return
        for xmlid in QUEUE_HELPERS:
            helper = self.env.ref(xmlid, raise_if_not_found=False)
            if helper and helper.active:
                helper.sudo()._trigger()

    def _l10n_cr_try_lock(self):
        """The documents of ``self`` this transaction may work on: those no other transaction holds
        (``SKIP LOCKED``: the queue, or a user, working on it) nor changed since this transaction
        began (locking such a row fails to serialise: it was sent, answered… meanwhile). Neither
        case is an error, and none is logged as one."""
        locked = self.browse()
        for doc in self:
            try:
                with self.env.cr.savepoint(flush=False):
                    self.env.cr.execute(SQL(
                        "SELECT id FROM l10n_cr_einvoice_document WHERE id = %s FOR UPDATE SKIP LOCKED", doc.id),
                        log_exceptions=False)
                    if self.env.cr.fetchone():
                        locked |= doc
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                continue
        return locked

    def _l10n_cr_process_locked(self, now):
        """Lock this document (skip it if another worker has it), process it, commit."""
        self.ensure_one()
        self = self._l10n_cr_in_company_lang()  # a cron speaks the company's language
        if not self._l10n_cr_try_lock():
            return 'skipped'
        self.invalidate_recordset()
        if not self._l10n_cr_is_due(now):
            self._l10n_cr_commit()
            return 'skipped'
        if not self._l10n_cr_can_commit():
            if self.state in ('to_send', 'sent'):
                self._l10n_cr_process_one(commit=False)
            if self._l10n_cr_email_due(fields.Datetime.now()):
                self._l10n_cr_email_step(commit=False)
            return 'processed'
        try:
            if self.state in ('to_send', 'sent'):
                self._l10n_cr_process_one(commit=True)
                # Accepted just now: the e-mail is due, in a transaction of its own (the
                # acceptance is durable whatever the e-mail does). The queue's next pass makes
                # it with those of the documents accepted meanwhile, their PDFs side by side
                # (_l10n_cr_prepare_emails), instead of waiting for one PDF after each acceptance.
            elif self._l10n_cr_email_due(fields.Datetime.now()):
                self._l10n_cr_email_step(commit=True)
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY as exc:
            # Another transaction changed or held a row this one wrote (the invoice, its partner…):
            # nothing of it stays, the document is processed again shortly. Not an error.
            self.env.cr.rollback()
            _logger.info("Electronic document %s: %s; processed again in %s s", self.display_name,
                         str(exc).splitlines()[0], BUSY_RETRY)
            self._l10n_cr_postpone(BUSY_RETRY)
        except Exception as exc:
            self.env.cr.rollback()
            if self.env.cr.closed:
                raise  # the database connection is gone: nothing can be recorded now
            _logger.exception("Electronic document %s: unexpected failure", self.display_name)
            if self._l10n_cr_try_lock():
                self.invalidate_recordset()
                if self.state in ('to_send', 'sent'):
                    self._l10n_cr_set_error('internal', self.env._("Unexpected error while sending: %s", exc))
                elif self.state == 'accepted' and self.email_next_try:
                    self._l10n_cr_email_failed(exc)
        self._l10n_cr_commit(1)
        return 'processed'

    def _l10n_cr_postpone(self, seconds):
        """After a rollback: make the document due again in ``seconds`` (if no one else has it)."""
        if not self._l10n_cr_try_lock():
            return
        self.invalidate_recordset()
        when = fields.Datetime.now() + timedelta(seconds=seconds)
        if self.state in ('to_send', 'sent'):
            self.sudo().next_try = when
        elif self.state == 'accepted' and self.email_next_try:
            self.sudo().email_next_try = when

    def _l10n_cr_process_one(self, commit=False):
        self.ensure_one()
        if self.state == 'to_send':
            self._l10n_cr_submit(commit=commit)
        elif self.state == 'sent':
            self._l10n_cr_poll()

    # -- submitting ----------------------------------------------------------------------

    def _l10n_cr_submit(self, commit=False):
        """POST the signed XML. After a start that may have reached Hacienda (a crash, a
        timeout), Hacienda is asked first; the same clave is never sent twice blindly."""
        self.ensure_one()
        self = self._l10n_cr_in_company_lang()  # what it writes, everyone reads
        doc = self.sudo()
        if not doc.xml_attachment_id:
            try:
                doc._l10n_cr_build_and_sign()
            except CertificateProblem as exc:
                return doc._l10n_cr_set_error('certificate', exc.args[0])
            except UserError as exc:
                return doc._l10n_cr_set_error('data', exc.args[0])
        try:
            client = doc.company_id._l10n_cr_client()
        except UserError as exc:
            return doc._l10n_cr_set_error('configuration', exc.args[0])
        may_have_arrived = doc.submission_started
        if not may_have_arrived:
            doc.submission_started = True
            if commit and self._l10n_cr_commit():
                # The mark is durable now: whatever happens below, the next attempt asks first.
                if not self._l10n_cr_try_lock():
                    return None
                self.invalidate_recordset()
                if doc.state != 'to_send':
                    return None
        was_unreachable = doc.error_kind == 'connection'
        doc.attempt_count += 1
        # Hacienda may answer 404 for a while after storing a document: the grace runs from the last POST.
        sent_at = doc.last_attempt_date and doc.last_attempt_date.replace(tzinfo=timezone.utc).timestamp()
        doc.last_attempt_date = fields.Datetime.now()
        try:
            outcome = client.submit(doc.xml_attachment_id.raw, may_have_arrived=may_have_arrived,
                                    sent_at=sent_at or None, **doc._l10n_cr_submit_options())
        except DocumentRejected as exc:
            return doc._l10n_cr_set_rejected(exc.reason or exc.message)
        except ConfigurationProblem as exc:
            return doc._l10n_cr_set_error('configuration', self.env._(
                "Hacienda refused the company's connection settings: %s", api_text.describe_api_error(self.env, exc)))
        except TransientError as exc:
            return doc._l10n_cr_retry_later(exc)
        except InputError as exc:
            return doc._l10n_cr_set_error('data', self.env._(
                "The signed document could not be sent: %s", str(exc)))
        status = outcome.status
        doc._l10n_cr_set_state(
            'sent',
            submitted_date=fields.Datetime.now(),
            hacienda_status=status.state if status else 'recibido',
            error_kind=False,
            error_message=False,
            poll_count=0,
            next_try=doc._l10n_cr_next_poll_time(0),
        )
        if outcome.result == 'already_received':
            doc._l10n_cr_note(self.env._("Hacienda already had this document; following its status."))
        else:
            doc._l10n_cr_note(self.env._("Sent to Hacienda, which received it."))
        if was_unreachable:
            doc._l10n_cr_wake_waiting()
        if status and status.state != 'not_found':
            doc._l10n_cr_apply_status(status)
        if doc.state == 'sent':
            doc._l10n_cr_schedule(doc.next_try)
        return None

    def _l10n_cr_submit_options(self):
        """Keyword arguments of the client's ``submit`` beyond the XML (a Mensaje Receptor gives the
        identification types its XML lacks)."""
        return {}

    def _l10n_cr_status_key(self):
        """(clave, consecutivo receptor or None): what Hacienda's status resource is named after."""
        self.ensure_one()
        return self.clave, None

    def _l10n_cr_retry_later(self, exc):
        doc = self.sudo()
        index = min(doc.attempt_count, len(SUBMIT_BACKOFF)) - 1
        when = doc._l10n_cr_unreachable_retry_time(SUBMIT_BACKOFF[max(index, 0)], exc.retry_after)
        message = self.env._(
            "Hacienda could not be reached (%(reason)s). The document will be sent again automatically "
            "at %(when)s UTC.", reason=api_text.describe_api_error(self.env, exc), when=fields.Datetime.to_string(when))
        doc.write({'next_try': when, 'error_kind': 'connection', 'error_message': message})
        if doc.attempt_count == 1 or doc.attempt_count % 5 == 0:
            doc._l10n_cr_note(message)
        if doc.attempt_count == NOTIFY_TRANSIENT_AFTER:
            doc._l10n_cr_notify(self.env._("Hacienda unreachable"), message)
        doc._l10n_cr_schedule(when)

    def _l10n_cr_unreachable_retry_time(self, backoff, retry_after=None):
        """When to call Hacienda again for this document after it could not be reached: after
        ``backoff`` seconds — unless no other document of the company is trying again sooner,
        then this one is the company's probe and tries again in ``PROBE_INTERVAL``: the first call
        that gets through wakes every document waiting (``_l10n_cr_wake_waiting``), so the queue
        sends again within seconds of Hacienda being back, calling it only once in a while
        meanwhile. A ``Retry-After`` is honoured either way."""
        self.ensure_one()
        now = fields.Datetime.now()
        probe_at = now + timedelta(seconds=max(PROBE_INTERVAL, retry_after or 0))
        backoff_at = now + timedelta(seconds=max(backoff, retry_after or 0))
        if backoff_at <= probe_at:
            return backoff_at
        other_probe = self.sudo().search_count([
            ('company_id', '=', self.company_id.id), ('id', '!=', self.id), ('state', 'in', ('to_send', 'sent')),
            ('error_kind', '=', 'connection'), ('next_try', '!=', False), ('next_try', '<=', probe_at)], limit=1)
        return backoff_at if other_probe else probe_at

    def _l10n_cr_wake_waiting(self):
        """Hacienda answered this document after a connection failure: the company's documents
        waiting after one are due now. Rows another transaction holds are left to it; if a row
        changed since this transaction began, none is woken now (the next answer tries again)."""
        self.ensure_one()
        now = fields.Datetime.now()
        try:
            with self.env.cr.savepoint():
                self.env.cr.execute(SQL(
                    """UPDATE l10n_cr_einvoice_document SET next_try = %(now)s
                        WHERE id IN (SELECT id FROM l10n_cr_einvoice_document
                                      WHERE company_id = %(company)s AND id != %(id)s
                                        AND state IN ('to_send', 'sent') AND error_kind = 'connection'
                                        AND next_try > %(now)s
                                        FOR UPDATE SKIP LOCKED)""",
                    now=now, company=self.company_id.id, id=self.id), log_exceptions=False)
                woken = self.env.cr.rowcount
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            return
        self.invalidate_model(['next_try'])
        if woken:
            _logger.info("Hacienda answers again: %s waiting document(s) of %s are due now", woken,
                         self.company_id.name)
            self._l10n_cr_schedule(now)

    # -- following -----------------------------------------------------------------------

    def _l10n_cr_next_poll_time(self, poll_count):
        self.ensure_one()
        env = 'simulator' if self.company_id.l10n_cr_environment == 'simulator' else 'remote'
        delays = POLL_DELAYS[env]
        return fields.Datetime.now() + timedelta(seconds=delays[min(poll_count, len(delays) - 1)])

    def _l10n_cr_poll(self):
        """Ask Hacienda for the document's status once and act on the answer."""
        self.ensure_one()
        self = self._l10n_cr_in_company_lang()  # what it writes, everyone reads
        doc = self.sudo()
        was_unreachable = doc.error_kind == 'connection'
        try:
            client = doc.company_id._l10n_cr_client()
            result = client.status(*doc._l10n_cr_status_key())
        except UserError as exc:
            return doc._l10n_cr_set_error('configuration', exc.args[0])
        except ConfigurationProblem as exc:
            return doc._l10n_cr_set_error('configuration', self.env._(
                "Hacienda refused the company's connection settings: %s", api_text.describe_api_error(self.env, exc)))
        except TransientError as exc:
            delay = (doc._l10n_cr_next_poll_time(doc.poll_count + 1) - fields.Datetime.now()).total_seconds()
            doc.write({
                'poll_count': doc.poll_count + 1,
                'next_try': doc._l10n_cr_unreachable_retry_time(delay, exc.retry_after),
                'error_kind': 'connection',
                'error_message': self.env._("Hacienda could not be asked for the status (%s); asking again later.",
                                            api_text.describe_api_error(self.env, exc)),
            })
            return doc._l10n_cr_schedule(doc.next_try)
        except InputError as exc:
            return doc._l10n_cr_set_error('data', str(exc))
        if was_unreachable:
            doc._l10n_cr_wake_waiting()
        return doc._l10n_cr_apply_status(result)

    def _l10n_cr_apply_status(self, result):
        doc = self.sudo()
        doc.poll_count += 1
        vals = {'hacienda_status': result.state, 'error_kind': False, 'error_message': False}
        if result.reason:
            vals['hacienda_message'] = result.reason
        if result.verified is False and doc.company_id._l10n_cr_client().config.trusted_certs:
            # Hacienda's certificate is configured and this answer is not signed with it.
            doc.write(vals)
            return doc._l10n_cr_set_error('hacienda', self.env._(
                "The answer about this document is not signed by Hacienda's certificate, so it is not taken as "
                "Hacienda's decision: %s. Check the certificate configured for Hacienda's answers, then use "
                "\"Check status\".", '; '.join(result.verification_errors)))
        if result.state in ('aceptado', 'rechazado') and (
                result.respuesta_xml or doc.poll_count >= MAX_FINAL_WITHOUT_ANSWER):
            doc.write(vals)
            if result.respuesta_xml:
                doc._l10n_cr_store_answer(result.respuesta_xml)
            if result.verified is False:
                doc._l10n_cr_note(self.env._(
                    "The signature of Hacienda's answer could not be verified: %s",
                    '; '.join(result.verification_errors)))
            if result.state == 'aceptado':
                return doc._l10n_cr_set_accepted()
            return doc._l10n_cr_set_rejected(result.reason or self.env._("Hacienda gave no reason."))
        vals['hacienda_error_count'] = doc.hacienda_error_count + 1 if result.state == 'error' else 0
        if result.state == 'error':
            if vals['hacienda_error_count'] >= MAX_HACIENDA_ERRORS:
                doc.write(vals)
                return doc._l10n_cr_set_error('hacienda', self.env._(
                    "Hacienda reports an error processing this document (%s). Check its status later "
                    "with \"Check status\"; if Hacienda keeps reporting the error, ask Hacienda.",
                    result.reason or self.env._("no details")))
        if result.state == 'not_found':
            submitted = doc.submitted_date or doc.issue_date
            if submitted and fields.Datetime.now() - submitted > NOT_FOUND_GRACE:
                # Hacienda lost it: submit again (submission_started makes it ask first).
                doc._l10n_cr_set_state('to_send', **vals, next_try=False)
                doc._l10n_cr_note(self.env._("Hacienda does not know this document; it will be sent again."))
                return doc._l10n_cr_schedule(fields.Datetime.now())
        vals['next_try'] = doc._l10n_cr_next_poll_time(doc.poll_count)
        doc.write(vals)
        return doc._l10n_cr_schedule(doc.next_try)

    def _l10n_cr_store_answer(self, xml):
        replace_xml_attachment(
            self.sudo(), 'response_attachment_id', f"{ABBREVIATIONS[self.document_type]}-{self.clave}-respuesta.xml", xml)

    # -- outcomes ----------------------------------------------------------------------

    def _l10n_cr_set_accepted(self):
        doc = self.sudo()
        doc._l10n_cr_set_state('accepted', answered_date=fields.Datetime.now(), next_try=False,
                               error_kind=False, error_message=False)
        doc._l10n_cr_log(self.env._("Accepted by Hacienda."), attachments=doc.response_attachment_id)
        doc._l10n_cr_plan_email()

    def _l10n_cr_set_rejected(self, reason):
        doc = self.sudo()
        message = '\n'.join([self.env._("Hacienda rejected this document: %s", reason), doc._l10n_cr_correction_hint()])
        doc._l10n_cr_set_state('rejected', answered_date=fields.Datetime.now(), next_try=False,
                               error_kind='rejected', error_message=message, hacienda_message=reason)
        doc._l10n_cr_notify(self.env._("Rejected by Hacienda"), message)

    def _l10n_cr_correction_hint(self):
        """What the user does after a rejection, shown under Hacienda's reason (per source)."""
        self.ensure_one()
        return self.env._(
            "Correct the cause and issue it again: reset the invoice to draft, fix it and confirm it; the new "
            "document will reference this one.")

    def _l10n_cr_set_error(self, kind, message):
        doc = self.sudo()
        doc._l10n_cr_set_state('error', error_kind=kind, error_message=message, next_try=False)
        doc._l10n_cr_notify(self.env._("Electronic document needs attention"), message)

    def _l10n_cr_requeue(self):
        """Put documents in error back in the queue (not the rejected: they are final)."""
        docs = self.sudo().filtered(lambda d: d.state == 'error')
        # What reached Hacienda is followed (its status asked), not submitted again.
        reached = docs.filtered(lambda d: d.hacienda_status and d.submission_started)
        cleared = {'error_kind': False, 'error_message': False, 'next_try': False, 'attempt_count': 0}
        (docs - reached)._l10n_cr_set_state('to_send', **cleared)
        reached._l10n_cr_set_state('sent', **cleared, poll_count=0)
        if docs:
            self._l10n_cr_schedule(fields.Datetime.now())
        return docs

    # -- messages --------------------------------------------------------------------------
    # Where a document's outcomes are seen and who acts on them depends on its source (an
    # invoice here; a POS order, a supplier document in other modules): these hooks say it.

    def _l10n_cr_related_records(self):
        """The records (any models with a chatter) where users look for this document: its
        invoice and payment entry here. Extended per source."""
        self.ensure_one()
        return list((self.move_id | self.payment_move_id).exists())

    def _l10n_cr_notify_target(self):
        """The record that gets the activity when the document needs someone: its invoice, else itself."""
        self.ensure_one()
        return self.move_id or self

    def _l10n_cr_responsible_user(self):
        """Who gets that activity: the invoice's salesperson or creator, else the document's creator."""
        self.ensure_one()
        return self.move_id.invoice_user_id or self.move_id.create_uid or self.create_uid

    def _l10n_cr_note(self, body):
        """A step of the document's own history (sent, retried…): its chatter only, no notification."""
        self.ensure_one()
        self.sudo()._message_log(body=body)

    def _l10n_cr_log(self, body, attachments=None):
        """An outcome worth seeing from the source too: the document's chatter and its related records'."""
        self.ensure_one()
        body = Markup("%s<br/>%s") % (self.name, body) if self.name else body
        self.sudo()._message_log(body=body, attachment_ids=attachments.ids if attachments else [])
        seen = set()
        for record in self._l10n_cr_related_records():
            if record and (record._name, record.id) not in seen:
                seen.add((record._name, record.id))
                record.sudo()._message_log(body=body)

    def _l10n_cr_notify(self, summary, message):
        """Chatter on the document and its related records, and an activity for the responsible person."""
        self.ensure_one()
        self._l10n_cr_log(Markup("<b>%s</b><br/>%s") % (summary, message))
        target = self._l10n_cr_notify_target()
        responsible = self._l10n_cr_responsible_user()
        if target and responsible and not responsible._is_superuser() and responsible.active:
            try:
                target.sudo().activity_schedule(
                    'mail.mail_activity_data_todo', summary=summary, note=message, user_id=responsible.id)
            except (UserError, ValueError) as exc:  # e.g. no access to the record any more
                _logger.warning("Could not schedule an activity for %s: %s", self.display_name, exc)

    # -- e-mail ----------------------------------------------------------------------------

    def _l10n_cr_email_source(self):
        """The record the accepted document is e-mailed from, to its ``partner_id`` (None: no
        e-mail): the invoice of a customer document. Extended per source."""
        self.ensure_one()
        if self.document_type in CUSTOMER_DOCUMENTS and self.move_id:
            return self.move_id
        return None

    def _l10n_cr_email_template(self):
        """The mail template of that e-mail."""
        self.ensure_one()
        if self.document_type == '10':
            return self.env.ref('l10n_cr_einvoice.email_template_einvoice_receipt')
        return self.env.ref('l10n_cr_einvoice.email_template_einvoice')

    def _l10n_cr_plan_email(self):
        """At the acceptance: the queue e-mails the document (PDF, signed XML, Hacienda's answer) to
        the customer, in a transaction of its own — at least once, retried with a backoff while it
        fails, and never twice (the e-mail and ``email_sent`` are committed together)."""
        self.ensure_one()
        doc = self.sudo()
        if doc.email_sent or doc.email_next_try or not doc.company_id.l10n_cr_auto_email:
            return
        source = doc._l10n_cr_email_source()
        if not source:
            return
        partner = source.partner_id
        if not partner:
            return  # a walk-in customer who left no name: the printed document is their copy
        if not partner._l10n_cr_email_list():
            doc._l10n_cr_log(self.env._("Not e-mailed: the customer has no e-mail address."))
            return
        if source._name == 'account.move' and doc.document_type != '10':
            doc._l10n_cr_detach_early_pdf(source)
        doc.email_next_try = fields.Datetime.now()
        doc._l10n_cr_schedule(doc.email_next_try)

    def _l10n_cr_email_step(self, commit):
        """One attempt at the e-mail of this accepted document (locked by the caller). Sent: it
        is marked so, in the same transaction. Failed: nothing of the attempt stays (with
        ``commit``, the transaction is rolled back; else its savepoint), then the failure is
        recorded on the document and the attempt planned again.

        With ``commit`` the slow part (the PDF) is made and committed first: Odoo writes the
        customer when it e-mails them (auth_signup's signup_prepare), and so do postings for that
        customer; a short transaction around the e-mail itself seldom meets another writing the
        customer after its snapshot (a serialization failure)."""
        self.ensure_one()
        doc = self.sudo()
        # What is pending is written now: a failure here is not the e-mail's (the caller's to handle).
        self.env.flush_all()
        try:
            if commit:
                if doc._l10n_cr_prepare_email():
                    self._l10n_cr_commit()
                    if not self._l10n_cr_try_lock():
                        return  # another worker has it now; the PDF made stays for it
                    self.invalidate_recordset()
                    if not self._l10n_cr_email_due(fields.Datetime.now()):
                        return
                doc._l10n_cr_send_email()
                self.env.flush_all()
                return
            with self.env.cr.savepoint():
                doc._l10n_cr_send_email()
            return
        except Exception as exc:  # the acceptance stands whatever the mail does
            failure = exc
        if commit:
            # Also drops what the attempt queued for after the commit (sending the mail it made).
            self.env.cr.rollback()
            if self.env.cr.closed or not self._l10n_cr_try_lock():
                return  # the connection is gone, or another worker has it now: tried again later
            self.invalidate_recordset()
            if not self.email_next_try or self.email_sent:
                return
        doc._l10n_cr_email_failed(failure)

    def _l10n_cr_send_email(self):
        """E-mail the accepted document now (raises on failure); once: nothing if it was e-mailed."""
        self.ensure_one()
        doc = self.sudo()
        if doc.email_sent:
            return
        source = doc._l10n_cr_email_source()
        if source and source.partner_id:
            doc._l10n_cr_deliver_email(source)
        doc.write({'email_sent': bool(source and source.partner_id), 'email_next_try': False, 'email_error': False})

    def _l10n_cr_prepare_email(self):
        """Make what the e-mail carries that takes long (the invoice's PDF, rendered after the
        acceptance); True when something was made."""
        self.ensure_one()
        source = self._l10n_cr_email_pdf_source()
        if not source:
            return False
        # Send & Print without sending: the PDF is stored on the invoice, and reused by the e-mail.
        self.env['account.move.send']._generate_and_send_invoices(
            source, allow_raising=True, sending_methods={'manual'})
        return True

    def _l10n_cr_email_pdf_source(self):
        """The invoice whose PDF this document's e-mail still needs rendered (None: none needed)."""
        self.ensure_one()
        source = self._l10n_cr_email_source()
        if (source and source._name == 'account.move' and self.document_type != '10'
                and source.partner_id and not source.invoice_pdf_report_id):
            return source
        return None

    def _l10n_cr_prepare_emails(self):
        """The PDFs of these accepted documents' e-mails made side by side, each committed, before
        the e-mails go one by one (each ``_l10n_cr_email_step`` then finds its PDF made).

        Making an invoice's PDF is mostly waiting: wkhtmltopdf waits Odoo's ``report.print_delay``
        (1 s) before it prints, while the worker waits for wkhtmltopdf. One invoice after another, a
        cron worker made about one e-mail a second; side by side (``PDF_THREADS`` threads, each
        on its own cursor and transaction), their waits overlap. (One wkhtmltopdf run cannot make
        several: without Odoo's patched Qt, as both deployments have it, Odoo refuses to.)

        Only the documents this transaction locks (``SKIP LOCKED``), still due and without a PDF,
        are taken; the locks are held until the PDFs are made (another worker moves on to other
        documents) and released by the commit. A PDF that cannot be made here is no e-mail's
        failure: its transaction is rolled back and the e-mail step makes its own (and records its
        own failure). Returns the documents whose PDFs were made."""
        now = fields.Datetime.now()
        docs = self.sudo()._l10n_cr_try_lock()
        docs.invalidate_recordset()
        jobs = {  # document id: the language its PDF is made in
            doc.id: doc.company_id._l10n_cr_lang() for doc in docs
            if doc._l10n_cr_email_due(now) and not doc.email_sent and doc._l10n_cr_email_pdf_source()
        }
        registry, uid = self.env.registry, self.env.uid
        context = {key: value for key, value in self.env.context.items() if key == 'l10n_cr_einvoice_allow_commit'}

        def make_pdf(doc_id, lang):
            threading.current_thread().dbname = registry.db_name
            try:
                with registry.cursor() as cr:
                    # This worker waits for the thread while it holds the documents' locks: a lock
                    # the thread waited for behind them would never come (nor be seen as a deadlock).
                    cr.execute("SET LOCAL lock_timeout = '30s'")
                    cr.transaction = Transaction(registry)
                    env = api.Environment(cr, uid, {**context, 'lang': lang}, su=True)
                    env[self._name].browse(doc_id)._l10n_cr_prepare_email()
                return doc_id
            except Exception as exc:  # any failure: the e-mail step makes the PDF again, and reports it
                _logger.info("PDF of electronic document %s not made beside the others (%s); its e-mail makes it",
                             doc_id, str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
                return None

        with ThreadPoolExecutor(max_workers=PDF_THREADS, thread_name_prefix='l10n_cr_pdf') as pool:
            made = [doc_id for doc_id in pool.map(make_pdf, jobs, jobs.values()) if doc_id]
        self._l10n_cr_commit()  # the locks
        return self.browse(made)

    def _l10n_cr_email_failed(self, exc):
        """Record a failed e-mail attempt and plan the next one: soon after a concurrency error
        (another transaction wrote the customer or the invoice meanwhile), else after growing waits."""
        self.ensure_one()
        doc = self.sudo()
        failures = doc.email_failures + 1
        busy = isinstance(exc, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY)
        delay = BUSY_RETRY if busy else EMAIL_BACKOFF[min(failures, len(EMAIL_BACKOFF)) - 1]
        when = fields.Datetime.now() + timedelta(seconds=delay)
        reason = str(exc.args[0] if isinstance(exc, UserError) and exc.args else exc).strip().splitlines()[0]
        message = self.env._(
            "The e-mail to the customer could not be sent (%(reason)s). It will be sent again automatically "
            "at %(when)s UTC.", reason=reason, when=fields.Datetime.to_string(when))
        (_logger.info if busy else _logger.warning)(
            "E-mail of %s failed (attempt %s): %s", doc.display_name, failures, reason)
        doc.write({'email_failures': failures, 'email_next_try': when, 'email_error': message})
        if failures == 1 and not busy:
            doc._l10n_cr_log(message)
        if failures == NOTIFY_EMAIL_AFTER:
            doc._l10n_cr_notify(self.env._("E-mail to the customer failing"), message)
        doc._l10n_cr_schedule(when)

    def _l10n_cr_detach_early_pdf(self, move):
        """A PDF stored before Hacienda accepted (Send & Print used early) shows the document as
        pending, and Send & Print reuses a stored PDF: keep it on the invoice as a plain attachment,
        renamed, so that the e-mail carries a PDF rendered now."""
        pdf = move.invoice_pdf_report_id.sudo()
        if not pdf:
            return
        stem, dot, extension = pdf.name.rpartition('.')
        label = self.env._("%s (before Hacienda's acceptance)", stem or pdf.name)
        pdf.write({'res_field': False, 'name': f"{label}{dot}{extension}" if stem else label})
        move.invalidate_recordset(['invoice_pdf_report_id', 'invoice_pdf_report_file'])

    def _l10n_cr_deliver_email(self, source):
        self.ensure_one()
        template = self._l10n_cr_email_template()
        if source._name == 'account.move' and self.document_type != '10':
            # Send & Print renders the invoice's PDF after the acceptance (an earlier one was set
            # aside by _l10n_cr_plan_email), so the PDF the customer gets (and the one stored on
            # the invoice) shows the accepted state.
            # allow_raising: a PDF that cannot be made is this attempt's failure (tried again later).
            self.env['account.move.send']._generate_and_send_invoices(
                source, allow_raising=True, sending_methods={'email'}, mail_template=template)
            return
        attachments = self.xml_attachment_id | self.response_attachment_id
        source.message_post_with_source(
            template, message_type='comment', subtype_xmlid='mail.mt_comment', attachment_ids=attachments.ids)

    # -- user actions ------------------------------------------------------------------------

    def _l10n_cr_source_records(self):
        """The records this document was issued from (its invoice and payment here; the source
        modules add theirs): who may act on a document is who may change one of them."""
        self.ensure_one()
        return [self.move_id, self.payment_move_id]

    def _l10n_cr_check_can_act(self):
        """The user may act on these documents: see them and change what they were issued from.
        The actions then run as superuser (the certificate, the API password), never for others'
        documents: a portal or point-of-sale user cannot sign, send or poll an invoice's document by id."""
        self.check_access('read')
        if self.env.su:
            return
        for doc in self:
            sources = [record for record in doc._l10n_cr_source_records() if record]
            if not any(record.has_access('write') for record in sources):
                raise AccessError(self.env._(
                    "You cannot act on %s: you may not change the invoice, order or supplier document it was "
                    "issued for.", doc.display_name))

    def action_l10n_cr_send_now(self):
        """Send (or re-check) the selected documents now, in this request. Those the queue is
        working on at this moment, or has moved on since this request began, are left to it: the
        user is told so (no error); their e-mail, once accepted, is the queue's too."""
        self._l10n_cr_check_can_act()
        candidates = self.sudo().filtered(lambda d: d.state in ('to_send', 'sent', 'error'))
        docs = candidates._l10n_cr_try_lock()
        docs.filtered(lambda d: d.state == 'error' and d.error_kind != 'data')._l10n_cr_requeue()
        for doc in docs.filtered(lambda d: d.state == 'to_send'):
            doc._l10n_cr_submit()
            if doc.state == 'sent':
                doc._l10n_cr_poll()  # Hacienda often answers within the second
        for doc in docs.filtered(lambda d: d.state == 'sent' and d.poll_count == 0):
            doc._l10n_cr_poll()
        return self._l10n_cr_action_result(busy=candidates - docs)

    def action_l10n_cr_check_status(self):
        self._l10n_cr_check_can_act()
        candidates = self.sudo().filtered(lambda d: d.state in ('sent', 'error') and d.submission_started)
        docs = candidates._l10n_cr_try_lock()
        for doc in docs:
            if doc.state == 'error':
                doc._l10n_cr_requeue()
            if doc.state == 'to_send':
                # Put back in the queue, yet it may have reached Hacienda: ask before sending.
                doc._l10n_cr_set_state('sent')
            if doc.state == 'sent':
                doc._l10n_cr_poll()
        return self._l10n_cr_status_notification(docs, busy=candidates - docs)

    def _l10n_cr_status_notification(self, asked, busy=None):
        """What "Check status" found, told to the user (then the page reloads); documents the
        queue held at that moment (``busy``) are said to be its."""
        if not asked and not busy:
            message = self.env._("None of these documents is waiting for Hacienda's answer: there is nothing to ask.")
            kind = 'info'
        else:
            states = dict(self._fields['state']._description_selection(self.env))
            lines = []
            for doc in asked:
                if doc.state == 'sent':
                    line = self.env._("%s: Hacienda is still processing it; it is asked again automatically.",
                                      doc.display_name)
                elif doc.state == 'rejected':
                    line = self.env._("%(document)s: rejected by Hacienda: %(reason)s", document=doc.display_name,
                                      reason=doc.hacienda_message or '')
                else:
                    line = f"{doc.display_name}: {states[doc.state]}"
                lines.append(line)
            if busy:
                lines.append(self._l10n_cr_busy_text(busy))
            message = '\n'.join(lines)
            kind = ('success' if set(asked.mapped('state')) == {'accepted'}
                    else 'warning' if {'rejected', 'error'} & set(asked.mapped('state')) else 'info')
        return {
            'type': 'ir.actions.client', 'tag': 'display_notification',
            'params': {'title': self.env._("Hacienda status"), 'message': message, 'type': kind,
                       'next': {'type': 'ir.actions.client', 'tag': 'soft_reload'}},
        }

    def action_l10n_cr_validate(self):
        """Check the stored XML again (XSD, business rules, signature) and report. Documents Hacienda
        accepted are left out: its acceptance says it all."""
        self._l10n_cr_check_can_act()
        to_check = self.filtered(lambda d: d.state != 'accepted')
        if not to_check:
            raise UserError(self.env._("Hacienda accepted the selected documents: there is nothing to validate."))
        problems = []
        for doc in to_check.sudo():
            if not doc.xml_attachment_id:
                problems.append(self.env._("%s: no signed XML yet.", doc.display_name))
                continue
            try:
                result = validate_document(doc.xml_attachment_id.raw, xsd_dir=server_settings.schema_dir())
            except (InputError, ConfigurationError) as exc:
                problems.append(f"{doc.display_name}: {exc}")
                continue
            verification = verify_xml(doc.xml_attachment_id.raw)
            for issue in issue_text.describe_issues(self.env, result.issues):
                problems.append(f"{doc.display_name}: {issue}")
            if not verification:
                problems.append(self.env._("%s: the signature does not verify.", doc.display_name))
        if problems:
            raise UserError('\n'.join(problems))
        return {
            'type': 'ir.actions.client', 'tag': 'display_notification',
            'params': {'type': 'success', 'title': self.env._("Validation"),
                       'message': self.env._("%s document(s) valid: schema, rules and signature.", len(to_check))},
        }

    def action_l10n_cr_sign(self):
        """Build and sign again documents that never reached Hacienda (e.g. after renewing the certificate)."""
        self._l10n_cr_check_can_act()
        for doc in self.sudo():
            if doc.submission_started or doc.state not in ('to_send', 'error') or not doc._l10n_cr_try_lock():
                raise UserError(self.env._(
                    "%s was already sent to Hacienda, or is being sent: its signed XML cannot change.",
                    doc.display_name))
            doc._l10n_cr_build_and_sign()
            if doc.state == 'error':
                doc._l10n_cr_requeue()
        return self._l10n_cr_action_result()

    def _l10n_cr_open_action(self):
        """The window action showing these documents: the document's form when there is one."""
        action = self.env['ir.actions.act_window']._for_xml_id('l10n_cr_einvoice.action_l10n_cr_einvoice_document')
        action['context'] = {'create': False}
        if len(self) == 1:
            action.update({'view_mode': 'form', 'views': [(False, 'form')], 'res_id': self.id})
        else:
            action['domain'] = [('id', 'in', self.ids)]
        return action

    def _l10n_cr_busy_text(self, busy):
        return self.env._(
            "%s: the queue is sending or following it at this moment; its state is shown in a moment.",
            ', '.join(busy.mapped('display_name')))

    def _l10n_cr_action_result(self, busy=None):
        reload = {'type': 'ir.actions.client', 'tag': 'soft_reload'}
        if busy:
            return {
                'type': 'ir.actions.client', 'tag': 'display_notification',
                'params': {
                    'type': 'info', 'title': self.env._("Hacienda"),
                    'message': self._l10n_cr_busy_text(busy),
                    'next': reload,
                },
            }
        if len(self) == 1:
            return reload
        return True
