"""1.1: a Mensaje Receptor carries its supplier document's clave, so the clave is unique only
among the company's own documents (a partial unique index replaces the table constraint)."""


def migrate(cr, version):
    if not version:
        return
    cr.execute("ALTER TABLE l10n_cr_einvoice_document DROP CONSTRAINT IF EXISTS l10n_cr_einvoice_document_clave_uniq")
    cr.execute("DELETE FROM ir_model_constraint WHERE name = 'l10n_cr_einvoice_document_clave_uniq'")
