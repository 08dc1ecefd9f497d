"""The rejection rules of Hacienda's *Anexos y Estructuras v4.4* (Anexo 1 and its notes).

Each rule has a code that names its page of the annex (``p25.plazo-credito`` is on page 25),
and every check that enforces it reports its ``Issue`` with that code, so a rejection always
says which rule of the annex it applies. ``docs/rules.md`` is generated from this table,
from the checks that cite each rule and from the test that proves it
(``tests/lib/test_annex_rules.py``).

A rule's ``reading`` says how an ambiguous text of the annex is read; ``revision`` says where
the April 2026 revision (whose text is not available, only its XSDs) may differ.
``registry`` rules need Hacienda's own registries (taxpayers, CABYS, exonerations) and are
listed, not checked: see ``NOT_CHECKABLE``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from hacienda_cr.documents.tree_data import child_path, path_text
from hacienda_cr.errors import Issue


@dataclass(frozen=True)
class Rule:
    code: str  # "p<page>.<name>"
    page: int
    text: str  # what the annex refuses, in one sentence
    reading: str = ""  # the reading chosen where the annex is ambiguous
    revision: str = ""  # where the 2026 revision may differ

    def issue(self, path: str | tuple, message: str) -> Issue:
        return Issue(path_text(path), message, self.code)

    def require(self, item: dict, code_key: str, code: str, other_key: str, path: str, issues: list[Issue]) -> None:
        """The annex's "code 99 requires its description": ``other_key`` when ``item[code_key]`` is ``code``."""
        if item.get(code_key) == code and not item.get(other_key):
            issues.append(Issue(child_path(path, other_key), f"is required when {code_key} is {code}", self.code))


class A:
    """Every rule, by name. Checks cite them as ``A.NAME``."""

    # -- header: numbering, clave, dates ---------------------------------------------------
    CLAVE = Rule(
        "p18.clave",
        18,
        "The Clave has the structure of notes 1, 3 and 4.1 (country, date, id, consecutivo, situación).",
    )
    CONSECUTIVO_TIPO = Rule(
        "p65.consecutivo-tipo", 65, "NumeroConsecutivo carries the code of the document's own type (note 3)."
    )
    CLAVE_CONSECUTIVO = Rule(
        "p66.clave-consecutivo", 66, "Positions 22-41 of the Clave are the document's NumeroConsecutivo (note 3)."
    )
    CLAVE_FECHA = Rule("p19.clave-fecha", 19, "FechaEmision is the date written in the Clave.")
    CLAVE_EMISOR = Rule(
        "p66.clave-emisor",
        66,
        "Positions 10-21 of the Clave are the issuer's identification; a Factura Electrónica de Compra is issued by its Receptor (p. 59).",
        reading="The FEC is issued and signed by the buyer (p. 59): its Clave carries the Receptor's identification, as other "
        "implementations do, so a foreign seller's 20-character id never has to fit 12 positions.",
        revision="The 2026 Clave allows letters in the identification positions.",
    )
    CONTINGENCIA = Rule(
        "p56.contingencia",
        56,
        "A document in situación 2 (contingencia) references the provisional voucher it replaces (TipoDocIR 08).",
    )
    FECHA_FORMATO = Rule(
        "p19.fecha-formato",
        19,
        "FechaEmision is an RFC 3339 date-time with its UTC offset (YYYY-MM-DDThh:mi:ss-06:00).",
    )
    FECHA_FUTURA = Rule(
        "p19.fecha-emision",
        19,
        "FechaEmision is not after the moment the document is generated (received).",
        reading="Checked against the reception time with 5 minutes of clock tolerance. Dates before reception are accepted: "
        "the annex allows them only in situación 3, but gives no tolerance for the minutes or hours a document waits in "
        "a queue.",
    )
    PROVEEDOR = Rule(
        "p18.proveedor-sistemas",
        18,
        "ProveedorSistemas is the identification number of the systems provider (9 to 20 digits).",
        reading="The provider's identification type is not in the document: any Costa Rican identification format is accepted.",
    )
    ACTIVIDAD = Rule(
        "p18.actividad",
        18,
        "CodigoActividadEmisor / CodigoActividadReceptor (and a Mensaje Receptor's CodigoActividad) are economic activity codes: 6 digits, or CAECR's 0000.0.",
    )

    # -- parties -------------------------------------------------------------------------
    IDENTIFICACION = Rule(
        "p20.identificacion",
        20,
        "Identification numbers have their type's format (cédula física 9 digits, jurídica 10, DIMEX 11-12, NITE 10, "
        "extranjero no domiciliado and no contribuyente up to 20 letters or digits).",
    )
    EMISOR_05 = Rule(
        "p19.emisor-extranjero",
        19,
        "An Emisor of type 05 (extranjero no domiciliado) only issues a Factura Electrónica de Compra, which then "
        "references TipoDocIR 16.",
    )
    EMISOR_06 = Rule(
        "p20.emisor-no-contribuyente",
        20,
        "An Emisor of type 06 (no contribuyente) only appears in a Factura Electrónica de Compra with CondicionVenta 13.",
    )
    EMISOR_UBICACION = Rule(
        "p21.emisor-ubicacion",
        21,
        "The Emisor's Ubicacion is required, except in a Factura Electrónica de Compra from a type 05 or 06 seller.",
        reading='Required in notes too ("obligatorio en todos los comprobantes"); for a type 06 seller only "if it has a '
        'domicile", which a document cannot show, so it is not required.',
    )
    OTRAS_SENAS_EXTRANJERO = Rule(
        "p21.otras-senas-extranjero",
        21,
        "OtrasSenasExtranjero is used only for a type 05 party: the Emisor of a FEC, the Receptor of a Factura.",
    )
    TELEFONO = Rule("p22.telefono", 22, "NumTelefono has 8 to 20 digits.")
    CORREO = Rule("p22.correo", 22, "E-mail addresses match the annex's pattern.")
    RECEPTOR_05 = Rule(
        "p22.receptor-extranjero",
        22,
        "A Receptor of type 05 is refused in FEC and REP; in a Factura only with CondicionVenta 12 and a reference "
        "to the supporting document.",
    )
    RECEPTOR_UBICACION_05 = Rule(
        "p23.receptor-ubicacion", 23, "A type 05 Receptor (extranjero no domiciliado) carries no Ubicacion."
    )
    RECEPTOR_OTRAS_SENAS = Rule("p24.receptor-otras-senas", 24, "The Receptor's OtrasSenas has at most 160 characters.")
    RECEPTOR_FEE = Rule(
        "p22.receptor-exportacion", 22, "A Factura Electrónica de Exportación identifies its Receptor (p. 4, item 26)."
    )

    # -- sale conditions -----------------------------------------------------------------
    CONDICION_09_11 = Rule(
        "p24.condicion-pago", 24, "CondicionVenta 09 and 11 (payments) are used only in the Recibo Electrónico de Pago."
    )
    CONDICION_13 = Rule(
        "p69.condicion-bienes-usados",
        69,
        "CondicionVenta 13 (bienes usados no contribuyente) is used only in the Factura Electrónica de Compra.",
        reading='Notes (NC, ND) may carry it: they adjust a FEC that does (p. 16, "si en la factura se encuentra el dato '
        'el mismo debe de existir en las notas"). The same reading keeps CondicionVenta 12 in notes, as their XSDs do.',
    )
    CONDICION_OTROS = Rule("p25.condicion-otros", 25, "CondicionVenta 99 requires CondicionVentaOtros.")
    PLAZO_CREDITO = Rule(
        "p25.plazo-credito",
        25,
        "PlazoCredito (days, above zero) is required with CondicionVenta 02 (crédito) and 10 (crédito IVA 90 días).",
    )

    # -- lines ---------------------------------------------------------------------------
    DETALLE_SERVICIO = Rule(
        "p26.detalle-servicio",
        26,
        "DetalleServicio is required, except in FE, TE, NC and ND that only carry other charges of types 04, 08, 09 or 10.",
        reading='"Cuando se seleccione el código 04, 08, 09 y 10" is read as: every other charge of such a document is of one of those types.',
    )
    PARTIDA_ARANCELARIA = Rule(
        "p26.partida-arancelaria",
        26,
        "Goods (CABYS 0-4) in a Factura Electrónica de Exportación carry their PartidaArancelaria (12 digits).",
    )
    CABYS = Rule("p26.cabys", 26, "CodigoCABYS has 13 digits (note 17).")
    CABYS_NOTAS = Rule(
        "p26.cabys-notas",
        26,
        "Credit and debit note lines carry CodigoCABYS, except financial notes (reference codes 09, 10) and notes to "
        "documents issued before 01/12/2020.",
    )
    CODIGO_COMERCIAL_SURTIDO = Rule(
        "p27.codigo-comercial-surtido",
        27,
        "A line with a CABYS surtido code or a DetalleSurtido carries a CodigoComercial of type 03 (SKU, GTIN) of at "
        "least 3 characters.",
        reading="The CABYS surtido codes are those the catalogue says follow the annex (2399999002200, 3532901000000, "
        "3532902000000).",
    )
    CANTIDAD = Rule("p27.cantidad", 27, "Cantidad is above zero.")
    PRECIO_UNITARIO = Rule("p35.precio-unitario", 35, "PrecioUnitario is above zero.")
    MONTO_TOTAL = Rule("p35.monto-total", 35, "MontoTotal = Cantidad × PrecioUnitario.")
    MONTO_DESCUENTO = Rule("p35.monto-descuento", 35, "Discounts do not exceed MontoTotal.")
    DESCUENTO_OTRO = Rule("p35.descuento-otro", 35, "CodigoDescuento 99 requires CodigoDescuentoOTRO.")
    NATURALEZA_DESCUENTO = Rule("p36.naturaleza-descuento", 36, "CodigoDescuento 99 requires NaturalezaDescuento.")
    SUBTOTAL = Rule(
        "p36.subtotal",
        36,
        "SubTotal = MontoTotal − discounts; with a DetalleSurtido, Σ SubTotalSurtido × Cantidad; in a REP it is the "
        "payment being recorded.",
    )
    IVA_FABRICA_EXENTO = Rule(
        "p36.iva-fabrica", 36, "IVACobradoFabrica 02 (exempt, VAT collected at the factory) uses CodigoTarifaIVA 10."
    )
    BASE_IMPONIBLE = Rule(
        "p36.base-imponible",
        36,
        "BaseImponible = SubTotal + taxes 02, 04, 05 and 12; editable with tax code 07 or IVACobradoFabrica 01, "
        "then above zero with IVACobradoFabrica 01.",
        reading="With a DetalleSurtido the line's base is Σ BaseImponibleSurtido × Cantidad.",
    )
    IMPUESTO_OTRO = Rule("p37.impuesto-otro", 37, "Tax code 99 requires CodigoImpuestoOTRO.")
    TARIFA_IVA_REQUERIDA = Rule(
        "p38.codigo-tarifa-iva",
        38,
        "IVA (tax codes 01, 07) carries CodigoTarifaIVA, except on a line with a DetalleSurtido, which carries neither "
        "CodigoTarifaIVA nor Tarifa.",
    )
    TARIFA_IVA = Rule("p38.tarifa-iva", 38, "The Tarifa of IVA (01) is the rate of its CodigoTarifaIVA (note 8.1).")
    TARIFA_REQUERIDA = Rule(
        "p38.tarifa",
        38,
        "Taxes computed with a rate carry their Tarifa: Impuesto Selectivo de Consumo (02) and cement (12, at 5 %).",
    )
    TARIFA_IVA_NOTAS = Rule(
        "p71.tarifa-transitoria",
        71,
        "CodigoTarifaIVA 05, 06 and 07 (transitional rates; 07 inhabilitado) are used only in credit and debit notes.",
    )
    FACTOR_IVA = Rule("p39.factor-iva", 39, "IVA bienes usados (08) requires FactorCalculoIVA.")
    DATOS_ESPECIFICOS = Rule(
        "p39.impuesto-especifico",
        39,
        "Specific taxes 03, 04, 05 and 06 carry DatosImpuestoEspecifico (Porcentaje and Proporcion for 04, "
        "VolumenUnidadConsumo for 05), except taxes 04-06 of a line with a DetalleSurtido.",
    )
    PROPORCION = Rule(
        "p40.proporcion",
        40,
        "Proporcion = CantidadUnidadMedida × Porcentaje (millilitres of absolute alcohol).",
        reading="Porcentaje is written as a whole number (40 for 40 %): Proporcion = CantidadUnidadMedida × Porcentaje / 100, "
        "the only reading that fits Proporcion's 5,2 digits and footnote 12.",
    )
    MONTO_IMPUESTO = Rule(
        "p42.monto-impuesto",
        42,
        "Tax amounts follow the annex: IVA = Tarifa × BaseImponible (× MontoTotal for regalías/bonificaciones, "
        "FactorCalculoIVA × SubTotal for 08, Σ of the surtido's components × Cantidad for combos); 02 and 12 = Tarifa × "
        "SubTotal; 03 = CantidadUnidadMedida × ImpuestoUnidad; 04 = Cantidad × Proporcion × ImpuestoUnidad; 05 = "
        "Cantidad × CantidadUnidadMedida × ImpuestoUnidad / VolumenUnidadConsumo (drinks) or Cantidad × "
        "VolumenUnidadConsumo × ImpuestoUnidad (soap); 06 = Cantidad × CantidadUnidadMedida × ImpuestoUnidad.",
        reading="Regalías and bonificaciones are discount codes 01 and 03 (p. 37); code 02 (IVA charged to the customer) "
        "keeps the ordinary base. Tax 05 accepts either formula (the document does not say drink or soap). The "
        "MontoTotal-based IVA applies where the document carries ImpuestoAsumidoEmisorFabrica (not in FEC and FEE).",
    )
    EXONERACION_OTRO = Rule("p44.exoneracion-otro", 44, "Exoneration type 99 requires TipoDocumentoOTRO.")
    EXONERACION_ARTICULO = Rule(
        "p45.exoneracion-articulo",
        45,
        "Exoneration types 02, 03, 06, 07 and 08 carry the Articulo of the law.",
        reading='Inciso is required only "when the article has one", which a document cannot show: it is not required.',
    )
    EXONERACION_INHABILITADA = Rule(
        "p74.exoneracion-notas",
        74,
        "Exoneration types 01, 05, 06 and 07 (inhabilitados) are used only in credit and debit notes.",
    )
    INSTITUCION_OTROS = Rule("p45.institucion-otros", 45, "NombreInstitucion 99 requires NombreInstitucionOtros.")
    TARIFA_EXONERADA = Rule("p45.tarifa-exonerada", 45, "TarifaExonerada does not exceed the tax's rate.")
    MONTO_EXONERACION = Rule(
        "p46.monto-exoneracion",
        46,
        "MontoExoneracion = TarifaExonerada × BaseImponible / 100, never above the tax; on a combo it is editable up to "
        "the tax.",
    )
    IMPUESTO_ASUMIDO = Rule(
        "p46.impuesto-asumido",
        46,
        "ImpuestoAsumidoEmisorFabrica carries the tax of regalías and bonificaciones (discount codes 01, 03); it is 0 "
        "unless the line has them, IVACobradoFabrica or specific taxes (03-06, 12).",
        reading="The regalía's tax is Σ MontoDescuento of codes 01/03 × Tarifa / 100 (all of the tax when the whole line "
        "is given away); taxes collected at the factory are the issuer's to state, up to the line's tax.",
    )
    IMPUESTO_NETO = Rule(
        "p46.impuesto-neto", 46, "ImpuestoNeto = Σ Monto − Σ MontoExoneracion − ImpuestoAsumidoEmisorFabrica."
    )
    MONTO_TOTAL_LINEA = Rule("p47.monto-total-linea", 47, "MontoTotalLinea = SubTotal + ImpuestoNeto.")
    NUMERO_LINEA = Rule("p26.numero-linea", 26, "Lines are numbered 1, 2, 3… in order.")

    # -- combos (DetalleSurtido) -----------------------------------------------------------
    SURTIDO_CANTIDAD = Rule("p30.cantidad-surtido", 30, "CantidadSurtido is above zero.")
    SURTIDO_PRECIO = Rule("p30.precio-surtido", 30, "PrecioUnitarioSurtido is above zero.")
    SURTIDO_MONTO_TOTAL = Rule(
        "p30.monto-total-surtido", 30, "MontoTotalSurtido = CantidadSurtido × PrecioUnitarioSurtido."
    )
    SURTIDO_DESCUENTO = Rule("p30.descuento-surtido", 30, "MontoDescuentoSurtido does not exceed MontoTotalSurtido.")
    SURTIDO_DESCUENTO_OTROS = Rule(
        "p31.descuento-surtido-otros", 31, "CodigoDescuentoSurtido 99 requires DescuentoSurtidoOtros."
    )
    SURTIDO_SUBTOTAL = Rule(
        "p31.subtotal-surtido", 31, "SubTotalSurtido = MontoTotalSurtido − Σ MontoDescuentoSurtido."
    )
    SURTIDO_IVA_FABRICA = Rule(
        "p31.iva-fabrica-surtido", 31, "IVACobradoFabricaSurtido 02 uses CodigoTarifaIVASurtido 10."
    )
    SURTIDO_BASE = Rule(
        "p31.base-surtido",
        31,
        "BaseImponibleSurtido = SubTotalSurtido + taxes 02, 04 and 05; editable with IVACobradoFabricaSurtido 01 "
        "(then above zero) or tax 07.",
    )
    SURTIDO_IMPUESTO_OTRO = Rule(
        "p32.impuesto-otro-surtido", 32, "CodigoImpuestoSurtido 99 requires CodigoImpuestoOTROSurtido."
    )
    SURTIDO_TARIFA_IVA = Rule(
        "p32.tarifa-iva-surtido",
        32,
        "A component's IVA (01) carries CodigoTarifaIVASurtido and its TarifaSurtido is that code's rate.",
    )
    SURTIDO_DATOS_ESPECIFICOS = Rule(
        "p33.impuesto-especifico-surtido",
        33,
        "A component's taxes 04, 05 and 06 carry DatosImpuestoEspecificoSurtido (PorcentajeSurtido and "
        "ProporcionSurtido for 04, VolumenUnidadConsumoSurtido for 05).",
    )
    SURTIDO_MONTO_IMPUESTO = Rule(
        "p34.monto-impuesto-surtido",
        34,
        "MontoImpuestoSurtido follows the same formulas as the line's taxes, on the component's amounts.",
        reading='For gifts the annex names codes 01 and "02 de Bonificaciones" here (p. 34) but 01 and 03 for the line (p. 37); 03 is Bonificación in note 20, so 01 and 03 are used for both.',
    )

    # -- other charges -------------------------------------------------------------------
    CARGO_OTRO = Rule("p47.cargo-otro", 47, "TipoDocumentoOC 99 requires TipoDocumentoOTROS.")
    CARGO_TERCERO = Rule(
        "p47.cargo-tercero",
        47,
        "A charge collected for a third party (04) names it: IdentificacionTercero and NombreTercero.",
    )
    MONTO_CARGO = Rule(
        "p49.monto-cargo",
        49,
        "MontoCargo is above zero.",
        reading="The annex gives no formula for PorcentajeOC: a missing MontoCargo is derived as TotalVentaNeta × "
        "PorcentajeOC / 100, a given one is not checked against it.",
    )

    # -- summary -------------------------------------------------------------------------
    TIPO_CAMBIO = Rule(
        "p50.tipo-cambio",
        50,
        "TipoCambio is 1 for colones (CRC) and a rate above zero for other currencies.",
        reading="The rate's value (BCCR's reference rate) needs Hacienda's data; above zero is what a document can show.",
    )
    TOTAL_GRAVADO = Rule(
        "p50.total-gravado",
        50,
        "TotalServGravados / TotalMercanciasGravadas are the MontoTotal of the taxed lines (services: CABYS 5-9), less "
        "their exonerated share.",
    )
    TOTAL_EXENTO = Rule(
        "p50.total-exento",
        50,
        "TotalServExentos / TotalMercanciasExentas are the MontoTotal of the exempt lines (CodigoTarifaIVA 10).",
    )
    TOTAL_EXONERADO = Rule(
        "p51.total-exonerado",
        51,
        "TotalServExonerado / TotalMercExonerada are the exonerated share (Σ MontoExoneracion / Σ Monto) of the taxed "
        "lines' MontoTotal.",
    )
    TOTAL_NO_SUJETO = Rule(
        "p51.total-no-sujeto",
        51,
        "TotalServNoSujeto / TotalMercNoSujeta are the MontoTotal of lines not subject to IVA (CodigoTarifaIVA 01 and 11).",
        reading="A line without IVA is not subject to it. A combo's MontoTotal is split over its components' classes in "
        "proportion to their MontoTotalSurtido.",
    )
    TOTALES_CLASE = Rule(
        "p52.totales-clase",
        52,
        "TotalGravado, TotalExento, TotalExonerado and TotalNoSujeto are the sums of their services and goods totals.",
    )
    TOTAL_VENTA = Rule(
        "p53.total-venta",
        53,
        "TotalVenta = TotalGravado + TotalExento + TotalExonerado + TotalNoSujeto (in a REP, Σ MontoTotal).",
    )
    TOTAL_DESCUENTOS = Rule("p53.total-descuentos", 53, "TotalDescuentos = Σ MontoDescuento.")
    TOTAL_VENTA_NETA = Rule("p53.total-venta-neta", 53, "TotalVentaNeta = TotalVenta − TotalDescuentos.")
    DESGLOSE = Rule(
        "p53.desglose-impuesto",
        53,
        "TotalDesgloseImpuesto is present when lines are taxed and gives, per tax code and IVA rate code, the tax net of "
        "exonerations and of ImpuestoAsumidoEmisorFabrica.",
        reading="A line's assumed tax is taken from its IVA first. A combo's IVA is broken down by its components' rate "
        "codes, or under code 08 when the combo is exonerated (p. 54).",
    )
    TOTAL_IMPUESTO = Rule(
        "p54.total-impuesto",
        54,
        "TotalImpuesto = Σ ImpuestoNeto, present whenever lines are taxed (also when fully exonerated).",
    )
    TOTAL_ASUMIDO = Rule(
        "p54.total-impuesto-asumido", 54, "TotalImpAsumEmisorFabrica = Σ ImpuestoAsumidoEmisorFabrica."
    )
    IVA_DEVUELTO = Rule(
        "p54.iva-devuelto",
        54,
        "TotalIVADevuelto is the IVA of health services (CABYS 931…) paid by card (TipoMedioPago 02).",
        reading="Health services are CABYS division 931 (servicios de salud humana); the amount may not exceed their IVA.",
    )
    TOTAL_OTROS_CARGOS = Rule(
        "p54.total-otros-cargos", 54, "TotalOtrosCargos = Σ MontoCargo, present with other charges."
    )
    MEDIO_PAGO = Rule(
        "p55.medio-pago",
        55,
        "MedioPago is required, except with CondicionVenta 02, 08 and 10 (credit); each one says its TipoMedioPago.",
        reading="The XSD lets a MedioPago omit TipoMedioPago; a payment means without its type says nothing, so it is refused.",
    )
    MEDIO_PAGO_OTROS = Rule("p55.medio-pago-otros", 55, "TipoMedioPago 99 requires MedioPagoOtros.")
    TOTAL_MEDIO_PAGO = Rule(
        "p55.total-medio-pago",
        55,
        "TotalMedioPago is above zero and required with several payment means, whose sum is TotalComprobante.",
        reading="The sum is checked with two or more payment means, as the annex says; a single one may state any amount above zero.",
    )
    TOTAL_COMPROBANTE = Rule(
        "p55.total-comprobante",
        55,
        "TotalComprobante = TotalVentaNeta + TotalImpuesto + TotalOtrosCargos − TotalIVADevuelto (in a REP, TotalVenta).",
        reading='In a REP the annex says "la suma de los campos Total de la venta": TotalComprobante = TotalVenta, the '
        "amount paid without its tax.",
    )

    # -- references ----------------------------------------------------------------------
    REFERENCIA_REQUERIDA = Rule(
        "p56.referencia",
        56,
        "InformacionReferencia is required in FEC, NC, ND, REP and in a Factura with an exoneration of type 11.",
    )
    TIPO_DOC_IR_16 = Rule(
        "p56.referencia-16",
        56,
        "TipoDocIR 16 (proveedor no domiciliado) is used only in the Factura Electrónica de Compra.",
    )
    TIPO_DOC_IR_REP = Rule(
        "p56.referencia-rep",
        56,
        "A Recibo Electrónico de Pago references only TipoDocIR 01, 02, 03, 04, 07, 08 and 10.",
        reading='The annex\'s list of names ("… Factura Electrónica de Compras …") does not match code 08 '
        "(contingencia); the codes are taken as written.",
        revision="The 2026 set adds TipoDocIR 19 (FEE) and 20 (REP): they are accepted in a REP of that set.",
    )
    TIPO_DOC_IR_09 = Rule(
        "p73.referencia-09",
        73,
        "TipoDocIR 09 (devolución de mercadería, inhabilitado) is used only in credit and debit notes.",
    )
    TIPO_DOC_OTRO = Rule("p56.tipo-doc-otro", 56, "TipoDocIR 99 requires TipoDocRefOTRO.")
    REFERENCIA_NUMERO = Rule(
        "p57.referencia-numero", 57, "Numero is required in every reference except TipoDocIR 13 (mes vencido)."
    )
    REFERENCIA_CLAVE = Rule(
        "p57.referencia-clave",
        57,
        "With TipoDocIR 01, 02, 03, 04, 09, 11, 12 and 15 the Numero is a valid clave, of a document of that type.",
        reading="The type must match where the code names one: 01-04 themselves, 12 a FEE (09), 15 a FEC (08).",
        revision="In the 2026 set TipoDocIR 19 (FEE) and 20 (REP) are electronic documents too, and a clave may carry letters.",
    )
    REFERENCIA_FECHA = Rule(
        "p57.referencia-fecha",
        57,
        "FechaEmisionIR is not more than 10 years before the document.",
        reading="Nor after the document's FechaEmision: a reference is to an earlier document (not written in the annex). A reference known by its date alone is the start of that day in Costa Rica.",
    )
    REFERENCIA_CODIGO = Rule("p57.referencia-codigo", 57, "Codigo is required in every reference except TipoDocIR 13.")
    CODIGO_REFERENCIA_OTRO = Rule("p57.codigo-otro", 57, "Reference Codigo 99 requires CodigoReferenciaOTRO.")
    REFERENCIA_RAZON = Rule(
        "p57.referencia-razon", 57, "Razon (3 to 180 characters) is required in every reference except TipoDocIR 13."
    )
    CODIGO_REFERENCIA_12 = Rule(
        "p72.codigo-12",
        72,
        "Reference Codigo 12 (crédito por exoneración posterior) is used only in credit notes.",
        revision="Codes 13-17 of the 2026 set have no text here; they are accepted wherever its XSD allows them.",
    )

    # -- Mensaje Receptor ------------------------------------------------------------------
    MR_DETALLE = Rule(
        "p60.mensaje-detalle",
        60,
        "A partial acceptance or a rejection (Mensaje 2, 3) explains itself in DetalleMensaje (5 to 160 characters).",
    )
    MR_CEDULA = Rule(
        "p60.mensaje-cedula",
        60,
        "NumeroCedulaEmisor has the format of a cédula física, jurídica, DIMEX or NITE.",
    )
    MR_CONSECUTIVO = Rule(
        "p61.mensaje-consecutivo",
        61,
        "NumeroConsecutivoReceptor carries the type of its Mensaje: 05 accepted, 06 partially accepted, 07 rejected.",
    )
    MR_FECHA = Rule("p60.mensaje-fecha", 60, "FechaEmisionDoc is not more than 10 years old.")


RULES: dict[str, Rule] = {r.code: r for r in vars(A).values() if isinstance(r, Rule)}

# What the annex requires but only Hacienda can check, with its registries. Listed in
# docs/rules.md so nobody believes they are covered.
NOT_CHECKABLE = (
    (18, "CodigoActividadEmisor/Receptor exist in the RUT register (and match the registered activities)."),
    (19, "NumeroConsecutivo follows the issuer's sequence."),
    (20, "Emisor, Receptor (FEC) and third parties are registered taxpayers."),
    (23, "The Receptor of a Factura, FEE or TE is a real taxpayer; REP, NC and ND carry the original's Receptor."),
    (26, "CodigoCABYS exists in the BCCR's current catalogue; with an exoneration 04, in the authorization."),
    (44, "Exonerations 04 and 11: NumeroDocumento, FechaEmisionEX and TarifaExonerada match the authorization."),
    (50, "TipoCambio of USD is the BCCR's reference selling rate."),
    (
        57,
        "A reference's data (exchange rate, CABYS, amounts) match the referenced document; adjustments do not exceed it.",
    ),
    (
        60,
        "A Mensaje Receptor's Clave, NumeroCedulaEmisor, MontoTotalImpuesto and TotalFactura match the confirmed document.",
    ),
)


def cite(issue: Issue) -> str:
    """A rejection reason as Hacienda's DetalleMensaje gives it: the rule, the field, what is wrong."""
    rule = RULES.get(issue.code)
    if rule is None:
        return f"[{issue.code or 'regla'}] {issue}"
    return f"[{rule.code}] {issue} (Anexos y Estructuras v4.4, Anexo 1, p. {rule.page}: {rule.text})"


DISABLED: set[str] = set()


def drop_disabled(issues: list[Issue]) -> list[Issue]:
    """The issues of the rules that are not switched off (tests switch rules off one at a time)."""
    if not DISABLED:
        return issues
    return [i for i in issues if i.code not in DISABLED]


@contextmanager
def disabled(codes: Iterable[str]) -> Iterator[None]:
    """Switch rules off (for the test that proves each rule is the one catching its case)."""
    added = set(codes) - DISABLED
    DISABLED.update(added)
    try:
        yield
    finally:
        DISABLED.difference_update(added)
