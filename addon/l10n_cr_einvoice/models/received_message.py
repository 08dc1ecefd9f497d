from odoo import fields, models

from .document_types import ABBREVIATIONS, MESSAGE_TYPES


class L10nCrEinvoiceDocument(models.Model):
    """The Mensaje Receptor: the company's answer to a supplier's document, issued, signed, sent
    and followed as the company's own documents are. It carries the supplier document's clave;
    Hacienda knows it as ``clave-consecutivo``."""

    _inherit = 'l10n_cr.einvoice.document'

    received_id = fields.Many2one(
        'l10n_cr.einvoice.received', string='Supplier document', readonly=True, index='btree_not_null',
        ondelete='restrict', check_company=True,
        help='For a Mensaje Receptor: the supplier document it answers.')

    def _l10n_cr_source_records(self):
        return [*super()._l10n_cr_source_records(), self.received_id]

    def _l10n_cr_is_message(self):
        self.ensure_one()
        return self.document_type in MESSAGE_TYPES and bool(self.received_id)

    def _l10n_cr_source_values(self):
        self.ensure_one()
        if self._l10n_cr_is_message():
            return self.received_id._l10n_cr_message_values(self), []
        return super()._l10n_cr_source_values()

    def _l10n_cr_submit_options(self):
        if self._l10n_cr_is_message():
            # The message's XML has bare numbers; NITE and cédula jurídica cannot be told apart.
            return {'emisor_tipo': self.received_id._l10n_cr_supplier_id_type(),
                    'receptor_tipo': self.company_id._l10n_cr_identification()[0]}
        return super()._l10n_cr_submit_options()

    def _l10n_cr_status_key(self):
        if self._l10n_cr_is_message():
            return self.clave, self.consecutivo
        return super()._l10n_cr_status_key()

    def _l10n_cr_store_xml(self, signed, clave, consecutivo, schema_set):
        result = super()._l10n_cr_store_xml(signed, clave, consecutivo, schema_set)
        if self._l10n_cr_is_message():
            # Several messages may answer one clave: the file is named after the message's own number.
            self.xml_attachment_id.sudo().name = f"{ABBREVIATIONS[self.document_type]}-{clave}-{consecutivo}.xml"
        return result

    # -- where its outcomes go -------------------------------------------------------------------

    def _l10n_cr_related_records(self):
        records = super()._l10n_cr_related_records()
        if self.received_id:
            records += [*self.received_id.exists(), *self.received_id.move_id.exists()]
        return records

    def _l10n_cr_notify_target(self):
        if self.received_id:
            return self.received_id
        return super()._l10n_cr_notify_target()

    def _l10n_cr_responsible_user(self):
        if self.received_id:
            return self.received_id.user_id or self.received_id.create_uid or self.create_uid
        return super()._l10n_cr_responsible_user()

    def _l10n_cr_correction_hint(self):
        if self.received_id:
            return self.env._(
                "Correct the cause (the company's settings, the amounts of the decision), then decide again on the "
                "supplier document %s: a new message is issued.", self.received_id.name)
        return super()._l10n_cr_correction_hint()
