"""1.4: a numbering no longer counts with an ir.sequence (its FOR UPDATE NOWAIT failed concurrent
postings, which Odoo then ran again): documents take the next consecutivo through its unique index.
The sequence's next number is kept as the numbering's first number (it matters only when it is
above the numbers used, e.g. set by hand when moving from another system); the sequences go."""


def migrate(cr, version):
    if not version:
        return
    cr.execute("""SELECT 1 FROM information_schema.columns
                   WHERE table_name = 'l10n_cr_einvoice_numbering' AND column_name = 'sequence_id'""")
    if not cr.fetchone():
        return
    cr.execute("ALTER TABLE l10n_cr_einvoice_numbering ADD COLUMN IF NOT EXISTS first_number integer")
    cr.execute("""UPDATE l10n_cr_einvoice_numbering n SET first_number = s.number_next
                    FROM ir_sequence s WHERE s.id = n.sequence_id""")
    cr.execute("UPDATE l10n_cr_einvoice_numbering SET first_number = 1 WHERE first_number IS NULL")
    cr.execute("SELECT array_agg(sequence_id) FROM l10n_cr_einvoice_numbering")
    [sequence_ids] = cr.fetchone()
    cr.execute("ALTER TABLE l10n_cr_einvoice_numbering DROP COLUMN sequence_id")
    if sequence_ids:
        # no_gap sequences: rows only, no PostgreSQL sequence object behind them
        cr.execute("DELETE FROM ir_sequence WHERE id = ANY(%s) AND implementation = 'no_gap'", [sequence_ids])
