"""No English string of ours reaches a Spanish user: a whole invoice's life in a Costa Rican company
whose language is es_CR — posted by a user, sent and followed by the queue as its cron does (an
environment without a language), accepted, e-mailed, rejected, delayed by an outage, corrected by a
credit note — and every text it leaves for people (chatter, tracked changes, banners, activities,
e-mails, notifications, errors) is searched for the English source strings of this module."""

import re

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import html2plaintext
from odoo.tools.misc import file_open
from odoo.tools.translate import PoFileReader

from .common import L10nCrEinvoiceCommon

MODULE = 'l10n_cr_einvoice'
# Placeholders and markup split a source string into the fragments that would show verbatim.
PLACEHOLDER = re.compile(r'%\(\w+\)[sd]|%[sd]|<[^>]+>|\n')
MIN_FRAGMENT = 12  # shorter pieces ("Hacienda", "XML") read the same in both languages
# English that would come from elsewhere than this module's terms (the library's messages, say):
# looked for in what only this module writes (the documents' chatter, banners and activities).
ENGLISH = re.compile(r"\b(the|could not|which|answered|attempts?|it may have|before sending)\b")


def untranslated(texts, module=MODULE, lang='es_CR'):
    """(fragment, source string) of each of ``module``'s source strings whose English wording shows
    in ``texts``, though ``lang`` translates it."""
    with file_open(f'{module}/i18n/{lang}.po', 'rb') as po:
        translations = {entry['src']: entry['value'] for entry in PoFileReader(po)
                        if entry['value'] and entry['value'] != entry['src']}
    corpus = '\n'.join(texts)
    found = []
    for source, translation in translations.items():
        for fragment in PLACEHOLDER.split(source):
            fragment = fragment.strip(' .,:;()"\'•')
            if len(fragment) >= MIN_FRAGMENT and fragment not in translation and fragment in corpus:
                found.append((fragment, source))
    return found


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestSpanishMessages(L10nCrEinvoiceCommon):

    @classmethod
    def default_env_context(cls):
        return {}  # the chatter as users see it, with the tracked changes (tests turn them off)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env['res.lang']._activate_lang('es_CR')
        cls.env['ir.module.module']._load_module_terms([MODULE], ['es_CR'], overwrite=True)
        cls.company.partner_id.lang = 'es_CR'
        cls.partner_cr.lang = 'es_CR'
        cls.env.user.lang = 'es_CR'
        cls.env = cls.env(context=dict(cls.env.context, lang='es_CR'))

    def commit(self):
        """What a commit does that a test transaction does not: log the tracked changes."""
        self.env.cr.precommit.run()

    def post(self, *args):
        move = self.make_invoice(*args)
        self.commit()
        return move

    def run_cron(self):
        """The queue as its cron runs it: no language in its environment, a commit per round."""
        Document = self.Document.with_context(lang=None)
        for _round in range(10):
            pending = Document.sudo().search([('state', 'in', ('to_send', 'sent'))])
            if not pending:
                return
            pending.write({'next_try': False})
            self.commit()
            Document._l10n_cr_process_queue(time_budget=120)
            self.commit()

    def texts_of(self, *records):
        """What people read about ``records``: their chatter (with tracked values), activities,
        e-mails, and the documents' banners. Those only this module writes are also in
        ``self.ours``."""
        texts = []
        for record in records:
            messages = self.env['mail.message'].sudo().search([('model', '=', record._name), ('res_id', '=', record.id)])
            for message in messages:
                body = html2plaintext(message.body or '')
                texts += [body, message.subject or '']
                for tracking in message.sudo().tracking_value_ids:
                    texts += [tracking.old_value_char or '', tracking.new_value_char or '']
                if record._name == 'l10n_cr.einvoice.document' and not body.endswith(' created'):
                    self.ours.append(body)  # ("… created" is Odoo's, which has no Spanish here)
            for activity in record.sudo().activity_ids:
                texts += [activity.summary or '', html2plaintext(activity.note or '')]
                self.ours += texts[-2:]
            mails = self.env['mail.mail'].sudo().search([('model', '=', record._name), ('res_id', '=', record.id)])
            texts += [html2plaintext(mail.body_html or '') for mail in mails] + mails.mapped('subject')
            if record._name == 'l10n_cr.einvoice.document':
                texts += [record.error_message or '']
                self.ours.append(record.error_message or '')
        return texts

    def test_a_whole_life_in_spanish(self):
        texts, self.ours = [], []
        # Refused postings: the user reads why.
        draft = self.make_invoice(self.partner_cr, [(self.product_no_cabys, 1, 100)], post=False)
        with self.assertRaises(UserError) as refused:
            draft.action_post()
        texts.append(refused.exception.args[0])
        with self.assertRaises(ValidationError) as refused:
            self.env['certificate.certificate'].sudo().create({
                'name': 'x', 'content': b'bm8gZXMgdW4gY2VydGlmaWNhZG8=', 'pkcs12_password': '1',
                'scope': 'l10n_cr_einvoice', 'company_id': self.company.id})
        texts.append(refused.exception.args[0])

        # Accepted and e-mailed by the queue; the user asks for the status.
        invoice = self.post(self.partner_cr, [(self.product_laptop, 1, 450000, None, 10)])
        document = invoice.l10n_cr_document_id
        texts.append(document.action_l10n_cr_check_status()['params']['message'])
        self.run_cron()
        self.assertEqual(document.state, 'accepted')
        texts.append(document.action_l10n_cr_check_status()['params']['message'])

        # Rejected: banner and activity.
        rejected_invoice = self.post(self.partner_cr, [(self.product_coffee, 2, 4000)])
        self.simulator.faults(next=[{'kind': 'reject'}])
        self.run_cron()
        rejected = rejected_invoice.l10n_cr_document_id
        self.assertEqual(rejected.state, 'rejected')
        self.assertTrue(rejected_invoice.activity_ids)

        # Hacienda unreachable for a while, then back.
        delayed_invoice = self.post(self.partner_cr, [(self.product_service, 1, 25000)])
        self.simulator.faults(next=[{'kind': 'server_error'}] * 3)
        self.Document.with_context(lang=None)._l10n_cr_process_queue(time_budget=120)
        delayed = delayed_invoice.l10n_cr_document_id
        self.assertEqual(delayed.error_kind, 'connection')
        texts += self.texts_of(delayed)
        self.run_cron()

        # A credit note without a reason, accepted.
        wizard = self.env['account.move.reversal'].with_context(active_model='account.move', active_ids=invoice.ids)\
            .create({'journal_id': invoice.journal_id.id})
        credit_note = self.env['account.move'].browse(wizard.refund_moves()['res_id'])
        credit_note.action_post()
        self.commit()
        self.run_cron()
        self.assertEqual(credit_note.l10n_cr_state, 'accepted')
        reason = next(e.text for e in self.signed_tree(credit_note.l10n_cr_document_id).iter()
                      if isinstance(e.tag, str) and e.tag.endswith('Razon'))
        self.assertEqual(reason, f"Anula o corrige {invoice.name}")

        for move in (invoice, rejected_invoice, delayed_invoice, credit_note):
            texts += self.texts_of(move, *move.l10n_cr_document_ids)
        self.assertTrue(any('Aceptado por Hacienda' in text for text in texts), "the chatter was read")
        self.assertTrue(any('Por enviar' in text for text in texts), "tracked states were read")
        self.assertEqual(untranslated(texts), [])
        self.assertEqual([text for text in self.ours if ENGLISH.search(text)], [])
