"""The monthly report as a workbook (xlsxwriter, in Odoo's requirements): the same figures as
the PDF, one sheet per part, amounts as numbers so they can be summed and compared with the D-104."""

import io

import xlsxwriter


def monthly_report_xlsx(env, data):
    _ = env._
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {'in_memory': True})
    bold = book.add_format({'bold': True})
    title = book.add_format({'bold': True, 'font_size': 14})
    money = book.add_format({'num_format': '#,##0.00'})
    money_bold = book.add_format({'num_format': '#,##0.00', 'bold': True, 'top': 1})
    header = book.add_format({'bold': True, 'bottom': 1, 'text_wrap': True})

    def sheet(name, heading, columns):
        ws = book.add_worksheet(name[:31])
        ws.write(0, 0, heading, title)
        unit = _('amounts in colones')
        ws.write(1, 0, f"{data['company'].name} — {data['period']} ({unit})")
        for col, (label, width) in enumerate(columns):
            ws.write(3, col, label, header)
            ws.set_column(col, col, width)
        return ws

    def rows(ws, start, records, keys, total=None, total_label=None):
        row = start
        for record in records:
            for col, key in enumerate(keys):
                value = record.get(key)
                if isinstance(value, float):
                    ws.write_number(row, col, value, money)
                elif isinstance(value, int) and not isinstance(value, bool):
                    ws.write_number(row, col, value)
                else:
                    ws.write(row, col, value if value not in (None, False) else '')
            row += 1
        if total is not None:
            ws.write(row, 0, total_label or _('Total'), bold)
            for col, key in enumerate(keys):
                if col and key in total:
                    ws.write_number(row, col, total[key], money_bold)
            row += 1
        return row + 1

    # Issued: by document type
    ws = sheet(_('Issued by type'), _('Issued documents accepted by Hacienda'),
               [(_('Kind'), 26), (_('Document type'), 34), (_('Documents'), 11), (_('Net sale'), 18),
                (_('Tax'), 16), (_('Total'), 18)])
    records = [dict(r, kind=r['direction_label']) for r in data['issued_types']]
    row = rows(ws, 4, records, ['kind', 'label', 'count', 'net', 'tax', 'total'])
    for totals in data['issued_type_totals'].values():
        ws.write(row, 0, _('Total %s', totals['label']), bold)
        ws.write_number(row, 2, totals['count'], bold)
        for col, key in ((3, 'net'), (4, 'tax'), (5, 'total')):
            ws.write_number(row, col, totals[key], money_bold)
        row += 1
    if data['not_accepted']:
        row += 1
        ws.write(row, 0, _('Issued this month but not accepted (not included):'), bold)
        for label, count in data['not_accepted']:
            row += 1
            ws.write(row, 0, label)
            ws.write_number(row, 2, count)

    # Issued: by tax rate
    ws = sheet(_('Issued by tax rate'), _('Issued documents: taxes per rate'),
               [(_('Kind'), 26), (_('Tax and rate'), 34), (_('Tax code'), 9), (_('VAT rate code'), 9),
                (_('Rate (%)'), 9), (_('Taxable base'), 18), (_('Tax'), 16), (_('Exonerated'), 16),
                (_('Tax due'), 16)])
    records = [dict(r, kind=r['direction_label']) for r in data['issued_rates']]
    row = rows(ws, 4, records, ['kind', 'label', 'tax_code', 'iva_rate_code', 'rate', 'base', 'tax', 'exonerated',
                                'net_tax'])
    for totals in data['issued_rate_totals'].values():
        ws.write(row, 0, _('Total %s', totals['label']), bold)
        for col, key in ((5, 'base'), (6, 'tax'), (7, 'exonerated'), (8, 'net_tax')):
            ws.write_number(row, col, totals[key], money_bold)
        row += 1

    # Received
    if data['received_available']:
        ws = sheet(_('Received by type'), _('Received documents accepted by the company'),
                   [(_('Document type'), 34), (_('Documents'), 11), (_('Net'), 18), (_('Tax'), 16), (_('Total'), 18)])
        rows(ws, 4, data['received_types'], ['label', 'count', 'net', 'tax', 'total'], data['received_type_total'])
        ws = sheet(_('Received by tax rate'), _('Received documents: taxes per rate'),
                   [(_('Tax and rate'), 34), (_('Tax code'), 9), (_('VAT rate code'), 9), (_('Rate (%)'), 9),
                    (_('Taxable base'), 18), (_('Tax'), 16), (_('Exonerated'), 16)])
        rows(ws, 4, data['received_rates'], ['label', 'tax_code', 'iva_rate_code', 'rate', 'base', 'tax', 'exonerated'],
             data['received_rate_total'])
    book.close()
    return output.getvalue()
