"""The XML files e-invoicing keeps on its records (a signed document, Hacienda's answer, a
supplier's document): one attachment per field, replaced as a whole when it changes."""


def replace_xml_attachment(record, field, name, raw, description=None, **vals):
    """Store ``raw`` as ``record``'s XML held in ``field`` (a Many2one to ir.attachment), written
    together with ``vals``; the attachment it held before is deleted (attachments are the module's
    to manage: made and deleted as superuser). Returns the new one."""
    record.ensure_one()
    old = record[field]
    values = {
        'name': name,
        'raw': raw,
        'mimetype': 'application/xml',
        'res_model': record._name,
        'res_id': record.id,
        'company_id': record.company_id.id,
    }
    if description:
        values['description'] = description
    attachment = record.env['ir.attachment'].sudo().create(values)
    record.write({**vals, field: attachment.id})  # with the caller's rights
    old.sudo().unlink()
    return attachment
