"""1.1: "rejected, not corrected" becomes a stored column, so lists filter on it through an index.

Computed here by SQL for the rejected documents alone: left to the ORM, the upgrade would load
and compute every document of the history."""


def migrate(cr, version):
    if not version:
        return
    # A constant default costs nothing in PostgreSQL (no table rewrite): every document is
    # "not uncorrected" at once, then the rejected ones are looked at.
    cr.execute("ALTER TABLE l10n_cr_einvoice_document"
               " ADD COLUMN IF NOT EXISTS l10n_cr_needs_correction boolean DEFAULT false")
    cr.execute("""
        UPDATE l10n_cr_einvoice_document d
           SET l10n_cr_needs_correction = true
         WHERE d.state = 'rejected'
           AND NOT EXISTS (SELECT 1 FROM l10n_cr_einvoice_document r WHERE r.replaced_document_id = d.id)
           AND NOT EXISTS (SELECT 1 FROM account_move m WHERE m.id = d.move_id AND m.state = 'cancel')
    """)
