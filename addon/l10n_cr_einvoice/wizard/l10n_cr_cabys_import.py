import base64
import io
import logging
import zipfile

from odoo import fields, models
from odoo.exceptions import UserError

from hacienda_cr.cabys import CODE, catalogue_tax

_logger = logging.getLogger(__name__)

BATCH = 2000


def _cell_text(value):
    if value is None:
        return ''
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return ' '.join(str(value).split())


class L10nCrCabysImport(models.TransientModel):
    """Import the CABYS catalogue from the spreadsheet the BCCR publishes
    ("Catálogo de bienes y servicios", e.g. Catalogo-CABYS-vigente.xlsx)."""

    _name = 'l10n_cr.cabys.import'
    _description = 'Import the CABYS catalogue'

    file = fields.Binary(string='Catalogue file', required=True, help='The BCCR\'s CABYS workbook (.xlsx).')
    filename = fields.Char(string='File name')
    created_count = fields.Integer(string='New codes', readonly=True)
    updated_count = fields.Integer(string='Updated codes', readonly=True)
    done = fields.Boolean(string='Imported', readonly=True)

    def action_l10n_cr_import(self):
        self.ensure_one()
        if not self.env.user.has_group('account.group_account_manager'):
            raise UserError(self.env._("Only accounting administrators can import the CABYS catalogue."))
        rows = self._l10n_cr_read_rows(base64.b64decode(self.file))
        created, updated = self._l10n_cr_store(rows)
        self.write({'created_count': created, 'updated_count': updated, 'done': True})
        return {
            'type': 'ir.actions.act_window', 'res_model': self._name, 'res_id': self.id,
            'view_mode': 'form', 'target': 'new',
        }

    def _l10n_cr_read_rows(self, content):
        """{code: (description, rate, wording, category)} from the workbook's catalogue sheet."""
        try:
            import openpyxl
        except ImportError:
            raise UserError(self.env._("The Python package openpyxl is needed to read the workbook.")) from None
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
            raise UserError(self.env._(
                "This file is not an Excel workbook (.xlsx) the importer can read: %s", exc)) from None
        try:
            for sheet in workbook.worksheets:
                rows = self._l10n_cr_read_sheet(sheet)
                if rows:
                    return rows
        finally:
            workbook.close()
        raise UserError(self.env._(
            "No CABYS catalogue found in this workbook: expected a sheet with the columns "
            "\"Categoría 9\" (the 13-digit code), its description and \"Impuesto\"."))

    def _l10n_cr_read_sheet(self, sheet):
        header = None
        rows = {}
        for values in sheet.iter_rows(values_only=True):
            cells = [_cell_text(v) for v in values]
            if header is None:
                lowered = [c.lower() for c in cells]
                if 'categoría 9' in lowered and 'impuesto' in lowered:
                    header = {
                        'code': lowered.index('categoría 9'),
                        'description': lowered.index('categoría 9') + 1,
                        'tax': lowered.index('impuesto'),
                        'section': lowered.index('descripción (categoría 1)')
                        if 'descripción (categoría 1)' in lowered else None,
                        'division': lowered.index('descripción (categoría 2)')
                        if 'descripción (categoría 2)' in lowered else None,
                    }
                continue
            code = cells[header['code']] if header['code'] < len(cells) else ''
            if not CODE.fullmatch(code):
                continue
            rate, wording = catalogue_tax(values[header['tax']] if header['tax'] < len(values) else None)
            category = ' / '.join(
                cells[i] for i in (header['section'], header['division']) if i is not None and i < len(cells) and cells[i])
            rows[code] = (cells[header['description']][:500] or code, rate, wording, category[:250])
        return rows

    def _l10n_cr_store(self, rows):
        Cabys = self.env['l10n_cr.cabys'].sudo().with_context(active_test=False)
        existing = {c.code: c for c in Cabys.search([])}
        to_create, updated = [], 0
        for code, (name, rate, wording, category) in rows.items():
            vals = {'name': name, 'tax_rate': rate, 'tax_label': wording, 'category': category, 'active': True}
            record = existing.get(code)
            if record is None:
                to_create.append({'code': code, **vals})
            elif (record.name, record.tax_rate, record.tax_label, record.category, record.active) != (
                    name, rate, wording, category, True):
                record.write(vals)
                updated += 1
        for start in range(0, len(to_create), BATCH):
            Cabys.create(to_create[start:start + BATCH])
        # Codes the BCCR removed stay (old invoices use them) but cannot be chosen any more.
        gone = [record for code, record in existing.items() if code not in rows and record.active]
        if gone:
            Cabys.browse([r.id for r in gone]).write({'active': False})
        _logger.info("CABYS import: %s created, %s updated, %s archived", len(to_create), updated, len(gone))
        return len(to_create), updated
