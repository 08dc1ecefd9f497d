"""1.2 (the annex's rules): new columns only — a line's and the company's discount nature, an
invoice's payment method description, a product's tariff heading — and one value carried over.
A discount of code 99 (other) states its nature (annex p. 36: NaturalezaDescuento); the module
used to write "Descuento" for it, so a company whose default discount code is 99 keeps that
wording as its default nature and its invoices post as before. No document changes: what was
signed stays as it was sent.

The columns have the names of 1.5: a post-migration runs after every pre-migration of the
upgrade, 1.5's renaming included."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE res_company company
           SET l10n_cr_discount_nature = 'Descuento'
          FROM l10n_cr_einvoice_code code
         WHERE code.id = company.l10n_cr_discount_code_id
           AND code.code = '99'
           AND COALESCE(company.l10n_cr_discount_nature, '') = ''
        """
    )
