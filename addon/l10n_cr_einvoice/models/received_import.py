"""Importing a supplier's signed XML: the checks that decide whether it is accepted into the
books, then the supplier, the vendor bill and the received document's record."""

import logging
from datetime import timedelta
from decimal import Decimal

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from hacienda_cr.codes import IVA_TAX_CODES
from hacienda_cr.costa_rica_time import to_costa_rica
from hacienda_cr.documents import parse_document
from hacienda_cr.errors import ConfigurationError, InputError
from hacienda_cr.pki import load_national_pki
from hacienda_cr.signing import verify_xml
from hacienda_cr.signing.trust import chains_to, load_trusted
from hacienda_cr.validation import validate_document

from ..hacienda import issue_text, server_settings
from .document_types import ABBREVIATIONS, RECEIVED_TYPE_SELECTION
from .xml_attachment import replace_xml_attachment

_logger = logging.getLogger(__name__)

RECEIVED_TYPES = tuple(code for code, _label in RECEIVED_TYPE_SELECTION)


def normalized_id(number):
    return (number or '').replace('-', '').replace(' ', '').upper()


def plain(value):
    """A number for a message: 10, 2.5, 93585.25 (no exponent, no trailing zeros)."""
    return format(Decimal(str(value)).normalize(), 'f')


def party_id(data, key):
    """(type, number) of the Emisor / Receptor of parsed document data, or (None, '')."""
    identification = (data.get(key) or {}).get('Identificacion') or {}
    return identification.get('Tipo'), normalized_id(identification.get('Numero'))


class L10nCrEinvoiceReceived(models.Model):
    _inherit = 'l10n_cr.einvoice.received'

    @api.model
    def _l10n_cr_import(self, xml, *, company=None, journal=None, move=None, filename=None, source='upload'):
        """Import one supplier document and return its record, with the vendor bill created (or
        ``move``, an empty draft bill that already carries the file, filled). Refused with a
        UserError saying why, in plain words: unreadable, not a supplier document, schema,
        signature, not addressed to the company, already imported, taxes the company has no
        purchase tax for."""
        company = move.company_id if move else (journal.company_id if journal else (company or self.env.company))
        filename = filename or self.env._("The file")
        parsed, warnings, signer = self._l10n_cr_check_document(xml, company, filename)
        data = parsed.data
        clave = data['Clave']
        existing = self.sudo().with_context(active_test=False).search(
            [('company_id', '=', company.id), ('clave', '=', clave)], limit=1)
        if existing and existing.move_id and existing.move_id != move:
            raise UserError(self.env._(
                "%(file)s was already imported: %(document)s of %(supplier)s (clave %(clave)s), vendor bill "
                "%(bill)s. A supplier document is booked once.",
                file=filename, document=existing.name, supplier=existing.supplier_id.display_name, clave=clave,
                bill=existing.move_id.display_name))
        if move and move.invoice_line_ids:
            raise UserError(self.env._(
                "%(bill)s already has lines: import the supplier's XML into a new vendor bill.", bill=move.display_name))
        currency = self._l10n_cr_document_currency(data)
        move_type = 'in_refund' if parsed.doc_type.code == '03' else 'in_invoice'
        line_commands, problems = self._l10n_cr_bill_lines(data, company)
        if problems:
            raise UserError('\n'.join([
                self.env._("%(file)s cannot be booked as a vendor bill:", file=filename),
                *(f"• {p}" for p in dict.fromkeys(problems))]))
        supplier = self._l10n_cr_supplier(data, company)
        bill = self._l10n_cr_fill_bill(move, journal, company, data, supplier, currency, move_type, line_commands)
        summary = data.get('ResumenFactura') or {}
        total = summary.get('TotalComprobante') or Decimal(0)
        if currency.compare_amounts(bill.amount_total, float(total)):
            warnings.append(self.env._(
                "The vendor bill's total (%(bill)s) differs from the document's TotalComprobante (%(document)s): "
                "check the taxes and the rounding before confirming the bill.",
                bill=bill.amount_total, document=plain(total)))
        values = self._l10n_cr_record_values(parsed, company, supplier, currency, bill, source, warnings)
        values['signer'] = signer
        if parsed.doc_type.code == '08':
            # The company issued it (with another system): there is nothing to answer.
            values['decision'] = 'accepted'
        if existing:
            existing.tax_line_ids.unlink()
            existing.write(values)
            received = existing
        else:
            received = self.create(values)
        received._l10n_cr_store_supplier_xml(xml, filename)
        received._l10n_cr_check_hacienda()
        copy = self.env['ir.attachment']
        if not move:  # a bill made from the file itself already carries it
            copy = received.xml_attachment_id.copy({'res_model': 'account.move', 'res_id': bill.id})
        bill.message_post(body=self.env._(
            "Created from the supplier's electronic document %(document)s (clave %(clave)s).",
            document=received.name, clave=clave), attachment_ids=copy.ids)
        return received

    def _l10n_cr_decode_attachment(self, invoice, file_data, new=False):
        """Decoder of Odoo's import framework: fill ``invoice`` from the supplier's XML. Nothing is
        kept of a refused import (the framework writes the reason in the bill's chatter)."""
        with self.env.cr.savepoint():
            self._l10n_cr_import(file_data['raw'], move=invoice, filename=file_data['name'],
                                 source='email' if invoice.invoice_source_email else 'upload')

    # -- checks ------------------------------------------------------------------------------

    @api.model
    def _l10n_cr_check_document(self, xml, company, filename):
        """(parsed document, warnings, signer) of a supplier document this company may import;
        UserError otherwise."""
        try:
            parsed = parse_document(xml)
        except InputError as exc:
            raise UserError(self.env._("%(file)s is not an XML document that can be read: %(reason)s",
                              file=filename, reason=str(exc))) from None
        if parsed.doc_type is None:
            raise UserError(self.env._(
                "%(file)s is Hacienda's answer about a document (MensajeHacienda), not a supplier's document. "
                "Import the supplier's signed XML: Hacienda's answer is asked for when it is imported.",
                file=filename))
        code = parsed.doc_type.code
        if parsed.doc_type.family == 'receptor':
            raise UserError(self.env._("%(file)s is a Mensaje Receptor (a receiver's answer to a document), not a "
                              "supplier's document.", file=filename))
        if code not in RECEIVED_TYPES:
            raise UserError(self.env._(
                "%(file)s is a %(type)s: it acknowledges a payment, it is not booked as a purchase.",
                file=filename, type=parsed.doc_type.name))
        data = parsed.data
        try:
            result = validate_document(xml, xsd_dir=server_settings.schema_dir(), schema_set=parsed.schema_set)
        except ConfigurationError as exc:
            raise UserError(self.env._(
                "Hacienda's XSD schemas are not available on this server (%s): the server's administrator sets "
                "l10n_cr_einvoice_schema_dir in its configuration.", str(exc))) from None
        xsd_issues = [issue for issue in result.issues if issue.code == 'xsd'] + list(parsed.issues)
        if xsd_issues:
            raise UserError('\n'.join([
                self.env._("%(file)s does not match Hacienda's schema (%(set)s):", file=filename, set=parsed.schema_set),
                *(f"• {text}" for text in issue_text.describe_issues(self.env, xsd_issues))]))
        anchors, intermediates = self._l10n_cr_supplier_trust()
        test_anchors = self._l10n_cr_simulator_trust_anchors(company)
        verdict = verify_xml(xml, trusted_certs=[*anchors, *test_anchors], intermediate_certs=list(intermediates))
        if verdict.signatures and verdict.signatures[0].trusted is False:
            raise UserError(self.env._(
                "%(file)s is signed with a certificate that neither Costa Rica's national certification "
                "authorities (Firma Digital, CA SINPE) nor Hacienda issued: anyone can make such a certificate, "
                "so it does not prove who issued the document. Ask the supplier for the original file.",
                file=filename))
        if not verdict.valid:
            raise UserError('\n'.join([
                self.env._("The signature of %(file)s does not verify: the document was changed after it was signed, or "
                  "the signature is damaged. Ask the supplier for the original file.", file=filename),
                *(f"• {error}" for error in verdict.errors)]))
        issuer_key = 'Receptor' if code == '08' else 'Emisor'  # the buyer issues a Factura de Compra
        issuer = party_id(data, issuer_key)
        signer = tuple(verdict.taxpayer_id) if verdict.taxpayer_id else None
        if signer is None:
            raise UserError(self.env._("The certificate that signed %(file)s does not identify a taxpayer: it is not a "
                              "Hacienda signing certificate.", file=filename))
        if signer[1] != issuer[1]:
            raise UserError(self.env._(
                "%(file)s is issued by %(issuer)s but signed with the certificate of %(signer)s: an electronic "
                "document must be signed by its issuer.", file=filename, issuer='-'.join(filter(None, issuer)),
                signer='-'.join(signer)))
        self._l10n_cr_check_addressee(data, company, filename)
        own = self.env['l10n_cr.einvoice.document'].sudo().search([('clave', '=', data.get('Clave'))], limit=1)
        if own:
            raise UserError(self.env._(
                "%(file)s is %(document)s, which this company issued itself (%(origin)s): it is not a supplier's "
                "document.", file=filename, document=own.display_name,
                origin=(own.move_id or own).display_name))
        if code == '08':
            own_number = company._l10n_cr_identification()[1]
            if party_id(data, 'Emisor')[1] == own_number:
                raise UserError(self.env._("%s is a Factura de Compra issued to this company as the seller.", filename))
        warnings = [
            self.env._("Hacienda's rules: %s", text)
            for text in issue_text.describe_issues(self.env, [i for i in result.issues if i.code != 'xsd'])]
        if test_anchors and not chains_to(verdict.signer, list(anchors), list(intermediates)):
            warnings.append(self.env._(
                "Signed with a certificate of a test certification authority, not of Costa Rica's national PKI: "
                "it is trusted only because %s works with the Hacienda simulator "
                "(l10n_cr_einvoice_simulator_trust_anchors), and would be refused anywhere else.", company.name))
        subject = verdict.signer.subject.rfc4514_string() if verdict.signer is not None else ''
        return parsed, warnings, f"{'-'.join(signer)} ({subject})" if subject else '-'.join(signer)

    @api.model
    def _l10n_cr_supplier_trust(self):
        """(trust anchors, intermediates) a supplier's signing certificate must chain to: Costa
        Rica's national PKI and Hacienda's root, from the server's configured directory."""
        try:
            national = load_national_pki(server_settings.pki_dir())
        except ConfigurationError as exc:
            raise UserError(self.env._(
                "Costa Rica's national PKI certificates are not available on this server (%s), so a supplier's "
                "signature cannot be checked: the server's administrator sets l10n_cr_einvoice_pki_dir in its "
                "configuration (see docs/security.md).", str(exc))) from None
        return national.anchors, national.intermediates

    @api.model
    def _l10n_cr_simulator_trust_anchors(self, company):
        """Staging only: the test CAs (of ``hacienda-cr testcert``) whose certificates sign the
        documents of the simulator's taxpayers, trusted besides the national PKI -- for a company
        working with the simulator, never for one on Hacienda's sandbox or production, whatever
        the server configuration says."""
        path = server_settings.simulator_trust_anchors()
        if not path or company.sudo().l10n_cr_environment != 'simulator':
            return ()
        try:
            with open(path, 'rb') as handle:
                return tuple(load_trusted([handle.read()]))
        except (OSError, InputError) as exc:
            raise UserError(self.env._(
                "The test certification authorities trusted for the Hacienda simulator "
                "(l10n_cr_einvoice_simulator_trust_anchors = %(path)s) cannot be read: %(reason)s",
                path=path, reason=str(exc))) from None

    @api.model
    def _l10n_cr_check_addressee(self, data, company, filename):
        own_number = company._l10n_cr_identification()[1]
        if not own_number:
            raise UserError(self.env._("Set the Tax ID of %s first: supplier documents are matched to it.", company.name))
        receptor_type, receptor_number = party_id(data, 'Receptor')
        if not receptor_number:
            raise UserError(self.env._(
                "%(file)s names no receptor (an anonymous sale): it is not addressed to %(company)s and gives "
                "no right to deduct its VAT. Ask the supplier for an electronic invoice to %(company)s.",
                file=filename, company=company.name))
        if receptor_number == own_number:
            return
        receptor_name = (data.get('Receptor') or {}).get('Nombre') or ''
        other = self.env['res.company'].search([('id', 'in', self.env.user.company_ids.ids)]).filtered(
            lambda c: c._l10n_cr_identification()[1] == receptor_number)
        hint = self.env._(" It belongs to %s: import it there.", other[0].name) if other else ''
        raise UserError(self.env._(
            "%(file)s is addressed to %(name)s (identification %(number)s), not to %(company)s (%(own)s).%(hint)s",
            file=filename, name=receptor_name, number='-'.join(filter(None, (receptor_type, receptor_number))),
            company=company.name, own=own_number, hint=hint))

    # -- the supplier --------------------------------------------------------------------------

    @api.model
    def _l10n_cr_supplier(self, data, company):
        """The supplier who issued the document (the Emisor), found by identification or created."""
        party = data.get('Emisor') or {}
        id_type, number = party_id(data, 'Emisor')
        Partner = self.env['res.partner']
        partner = Partner._l10n_cr_find_by_identification(id_type, number, company)
        if partner:
            if partner.l10n_cr_fec:
                partner.sudo()._message_log(body=self.env._(
                    "This supplier issues electronic documents (%s) but is marked as not registered for "
                    "e-invoicing: purchases documented by the supplier itself need no Factura de Compra.",
                    data.get('Clave')))
            return partner
        emails = party.get('CorreoElectronico') or []
        if isinstance(emails, str):
            emails = [emails]
        values = {
            'name': ' '.join((party.get('Nombre') or number).split()),
            'vat': number,
            'l10n_cr_id_type_id': self.env['l10n_cr.einvoice.code']._l10n_cr_get('identification_types', id_type).id,
            'is_company': id_type == '02',
            'email': emails[0] if emails else False,
            'l10n_cr_emails': ', '.join(emails[:4]) if len(emails) > 1 else False,
            'supplier_rank': 1,
            'country_id': self.env.ref('base.cr').id,
        }
        phone = party.get('Telefono') or {}
        if phone.get('NumTelefono'):
            values['phone'] = f"+{phone.get('CodigoPais') or 506} {phone['NumTelefono']}"
        location = party.get('Ubicacion') or {}
        if location:
            state = self.env['res.country.state'].search(
                [('country_id.code', '=', 'CR'), ('code', '=', str(location.get('Provincia')))], limit=1)
            values.update({
                'state_id': state.id,
                'l10n_cr_canton_code': f"{int(location['Canton']):02d}" if location.get('Canton') else False,
                'l10n_cr_district_code': f"{int(location['Distrito']):02d}" if location.get('Distrito') else False,
                'l10n_cr_neighborhood': location.get('Barrio') or False,
                'street': location.get('OtrasSenas') or False,
            })
        activity_code = data.get('CodigoActividadEmisor')
        if activity_code:
            activity = self.env['l10n_cr.economic.activity'].search(
                ['|', ('code', '=', activity_code), ('legacy_codes', 'ilike', activity_code)], limit=1)
            values['l10n_cr_activity_id'] = activity.id
        # A billing user may lack the right to create contacts; booking the document needs its supplier anyway.
        partner = Partner.sudo().create(values).sudo(False)
        partner.sudo()._message_log(body=self.env._(
            "Created from the electronic document %s the supplier issued.", data.get('Clave')))
        return partner

    @api.model
    def _l10n_cr_document_currency(self, data):
        summary = data.get('ResumenFactura') or {}
        code = (summary.get('CodigoTipoMoneda') or {}).get('CodigoMoneda') or 'CRC'
        currency = self.env['res.currency'].with_context(active_test=False).search([('name', '=', code)], limit=1)
        if not currency:
            raise UserError(self.env._("The document is in %s, a currency this database does not know.", code))
        if not currency.active:
            raise UserError(self.env._(
                "The document is in %s, which is not active: an accounting administrator activates the currency "
                "(Invoicing › Configuration › Currencies), then import the document again.", code))
        return currency

    # -- the vendor bill -----------------------------------------------------------------------

    @api.model
    def _l10n_cr_bill_lines(self, data, company):
        """(invoice line commands, problems): one line per LineaDetalle, with the purchase taxes of
        the same Hacienda codes, and one line per other charge or VAT returned."""
        lines, problems = [], []
        details = (data.get('DetalleServicio') or {}).get('LineaDetalle') or []
        for index, line in enumerate(details, start=1):
            where = self.env._("Line %(number)s (%(label)s)", number=index, label=(line.get('Detalle') or '')[:60])
            taxes = self.env['account.tax']
            for tax in line.get('Impuesto') or []:
                taxes |= self._l10n_cr_purchase_tax(tax, line, company, where, problems)
            amount = Decimal(line.get('MontoTotal') or 0)
            discount = sum((Decimal(d.get('MontoDescuento') or 0) for d in line.get('Descuento') or []), Decimal(0))
            name = line.get('Detalle') or ''
            if line.get('CodigoCABYS'):
                name = f"{name} [CABYS {line['CodigoCABYS']}]"
            lines.append(Command.create({
                'name': name,
                'quantity': float(line.get('Cantidad') or 0),
                'price_unit': float(line.get('PrecioUnitario') or 0),
                'discount': round(float(discount * 100 / amount), 10) if amount else 0.0,
                'tax_ids': [Command.set(taxes.ids)],
            }))
        for charge in data.get('OtrosCargos') or []:
            label = charge.get('Detalle') or charge.get('TipoDocumentoOTROS') or self.env._("Other charge")
            lines.append(Command.create({
                'name': self.env._("Other charge: %s", label),
                'quantity': 1,
                'price_unit': float(charge.get('MontoCargo') or 0),
                'tax_ids': [Command.clear()],
            }))
        returned = (data.get('ResumenFactura') or {}).get('TotalIVADevuelto')
        if returned:
            lines.append(Command.create({
                'name': self.env._("VAT returned (TotalIVADevuelto)"),
                'quantity': 1,
                'price_unit': -float(returned),
                'tax_ids': [Command.clear()],
            }))
        if not details:
            problems.append(self.env._("The document has no lines."))
        return lines, problems

    @api.model
    def _l10n_cr_purchase_tax(self, tax, line, company, where, problems):
        """The company's purchase tax for one Impuesto of a line (empty, with a problem, when none)."""
        Tax = self.env['account.tax']
        code = tax.get('Codigo')
        rate = Decimal(tax.get('Tarifa') or 0)
        domain = [
            *Tax._check_company_domain(company),
            ('type_tax_use', '=', 'purchase'),
            ('l10n_cr_tax_code_id.code', '=', code),
        ]
        exoneration = tax.get('Exoneracion')
        if code in IVA_TAX_CODES:
            rate_code = tax.get('CodigoTarifaIVA')
            domain.append(('l10n_cr_iva_rate_code_id.code', '=', rate_code))
            if exoneration:
                charged = rate - Decimal(exoneration.get('TarifaExonerada') or 0)
                candidates = Tax.search([*domain, ('l10n_cr_exonerated', '=', True)]).filtered(
                    lambda t: abs(Decimal(str(t.amount)) - charged) < Decimal('0.0001'))
                wanted = self.env._("an exonerated VAT purchase tax (code %(code)s, VAT rate code %(rate)s) charging %(charged)s%%",
                           code=code, rate=rate_code, charged=plain(charged))
            else:
                candidates = Tax.search([*domain, ('l10n_cr_exonerated', '=', False)])
                wanted = self.env._("a purchase tax with Hacienda tax code %(code)s and VAT rate code %(rate)s (%(percent)s%%)",
                           code=code, rate=rate_code, percent=plain(rate))
        elif tax.get('Tarifa') is not None:
            candidates = Tax.search([*domain, ('amount_type', '=', 'percent')]).filtered(
                lambda t: abs(Decimal(str(t.amount)) - rate) < Decimal('0.0001'))
            wanted = self.env._("a purchase tax with Hacienda tax code %(code)s at %(percent)s%%", code=code, percent=plain(rate))
        else:
            quantity = Decimal(line.get('Cantidad') or 1) or Decimal(1)
            per_unit = Decimal(tax.get('Monto') or 0) / quantity
            candidates = Tax.search([*domain, ('amount_type', '=', 'fixed')]).filtered(
                lambda t: abs(Decimal(str(t.amount)) - per_unit) < Decimal('0.00001'))
            wanted = self.env._("a fixed purchase tax with Hacienda tax code %(code)s of %(amount)s per unit",
                       code=code, amount=plain(per_unit))
        candidates = candidates.filtered(lambda t: not t.price_include).sorted('sequence')
        if not candidates:
            problems.append(self.env._("%(where)s: the company has no purchase tax for this line's tax: it needs %(wanted)s "
                              "(an accounting administrator adds it in Invoicing › Configuration › Taxes).",
                              where=where, wanted=wanted))
        return candidates[:1]

    @api.model
    def _l10n_cr_fill_bill(self, move, journal, company, data, supplier, currency, move_type, line_commands):
        issued = to_costa_rica(data['FechaEmision']).date() if data.get('FechaEmision') else fields.Date.today()
        values = {
            'move_type': move_type,
            'partner_id': supplier.id,
            'invoice_date': issued,
            'ref': data.get('NumeroConsecutivo'),
            'currency_id': currency.id,
            'l10n_cr_document_type': False,  # documented by the supplier: never a Factura de Compra
            'invoice_line_ids': line_commands,
        }
        term_days = data.get('PlazoCredito')
        if data.get('CondicionVenta') == '02' and term_days:
            values['invoice_date_due'] = issued + timedelta(days=int(term_days))
        if not move:
            journal = journal or self.env['account.journal'].search(
                [*self.env['account.journal']._check_company_domain(company), ('type', '=', 'purchase')], limit=1)
            if not journal:
                raise UserError(self.env._("%s has no purchase journal to book the vendor bill in.", company.name))
            move = self.env['account.move'].with_company(company).create(
                {'move_type': move_type, 'journal_id': journal.id})
        # The EDI import context: discounts kept at full precision, lines synchronised once.
        with move._get_edi_creation() as bill:
            bill.write(values)
        return bill

    @api.model
    def _l10n_cr_record_values(self, parsed, company, supplier, currency, bill, source, warnings):
        data = parsed.data
        summary = data.get('ResumenFactura') or {}
        total = Decimal(summary.get('TotalComprobante') or 0)
        tax = Decimal(summary.get('TotalImpuesto') or 0)
        rate = Decimal((summary.get('CodigoTipoMoneda') or {}).get('TipoCambio') or 1)
        crc = self.env.ref('base.CRC')
        total_crc = total * (rate if currency != crc else 1)
        issued = data.get('FechaEmision')
        issue_date = (issued - issued.utcoffset()).replace(tzinfo=None) if issued else False  # naive UTC
        if company.currency_id == crc:
            total_company = float(total_crc)
        else:
            total_company = crc._convert(float(total_crc), company.currency_id, company,
                                         issue_date.date() if issue_date else fields.Date.today())
        id_type, number = party_id(data, 'Emisor')
        return {
            'company_id': company.id,
            'clave': data['Clave'],
            'consecutivo': data.get('NumeroConsecutivo'),
            'document_type': parsed.doc_type.code,
            'schema_set': parsed.schema_set,
            'supplier_id': supplier.id,
            'supplier_identification': f"{id_type}-{number}" if id_type else number,
            'supplier_activity': data.get('CodigoActividadEmisor'),
            'issue_date': issue_date,
            'currency_id': currency.id,
            'exchange_rate': float(rate),
            'amount_tax': float(tax),
            'amount_total': float(total),
            'amount_untaxed': float(total - tax),
            'amount_total_company': total_company,
            'tax_line_ids': [Command.create(values) for values in self._l10n_cr_tax_summary(data)],
            'move_id': bill.id,
            'journal_id': bill.journal_id.id,
            'check_warnings': '\n'.join(warnings) or False,
            'source': source,
        }

    @api.model
    def _l10n_cr_tax_summary(self, data):
        """The document's taxes summed per (tax code, VAT rate code, rate) from its lines."""
        groups = {}
        for line in (data.get('DetalleServicio') or {}).get('LineaDetalle') or []:
            base = Decimal(line.get('BaseImponible') or line.get('SubTotal') or 0)
            for tax in line.get('Impuesto') or []:
                key = (tax.get('Codigo'), tax.get('CodigoTarifaIVA') or False, Decimal(tax.get('Tarifa') or 0))
                group = groups.setdefault(key, [Decimal(0), Decimal(0), Decimal(0)])
                exonerated = Decimal((tax.get('Exoneracion') or {}).get('MontoExoneracion') or 0)
                group[0] += base
                group[1] += Decimal(tax.get('Monto') or 0) - exonerated
                group[2] += exonerated
        return [{
            'tax_code': code, 'iva_rate_code': rate_code, 'rate': float(rate),
            'base_amount': float(base), 'tax_amount': float(amount), 'exonerated_amount': float(exonerated),
        } for (code, rate_code, rate), (base, amount, exonerated) in sorted(groups.items())]

    def _l10n_cr_store_supplier_xml(self, xml, filename):
        replace_xml_attachment(self, 'xml_attachment_id', f"{ABBREVIATIONS.get(self.document_type, '')}-{self.clave}.xml",
                               xml, description=filename)
