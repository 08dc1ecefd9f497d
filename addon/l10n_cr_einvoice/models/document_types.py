"""The electronic documents this module issues and receives, with the short names used in file names."""

# What invoices, payments and point of sale orders issue.
DOCUMENT_TYPE_SELECTION = [
    ('01', 'Electronic Invoice (01)'),
    ('02', 'Electronic Debit Note (02)'),
    ('03', 'Electronic Credit Note (03)'),
    ('04', 'Electronic Ticket (04)'),
    ('08', 'Electronic Purchase Invoice (08)'),
    ('09', 'Electronic Export Invoice (09)'),
    ('10', 'Electronic Payment Receipt (10)'),
]
# The receiver's answer to a supplier's document (Mensaje Receptor), numbered per type like the others.
MESSAGE_TYPE_SELECTION = [
    ('05', 'Acceptance message (05)'),
    ('06', 'Partial acceptance message (06)'),
    ('07', 'Rejection message (07)'),
]
ALL_DOCUMENT_TYPE_SELECTION = sorted(DOCUMENT_TYPE_SELECTION + MESSAGE_TYPE_SELECTION)
MESSAGE_TYPES = tuple(code for code, _label in MESSAGE_TYPE_SELECTION)
# Supplier documents that can be imported (the types a supplier's system issues to a buyer;
# an 08 only when it was issued in this company's name by another system).
RECEIVED_TYPE_SELECTION = [item for item in DOCUMENT_TYPE_SELECTION if item[0] != '10']

ABBREVIATIONS = {'01': 'FE', '02': 'ND', '03': 'NC', '04': 'TE', '05': 'CCE', '06': 'CPCE', '07': 'RCE',
                 '08': 'FEC', '09': 'FEE', '10': 'REP'}
# Documents whose reader is the customer (they get the e-mail once accepted).
CUSTOMER_DOCUMENTS = ('01', '02', '03', '04', '09', '10')
# InformacionReferencia/TipoDocIR of a document of ours, per schema set: the 2024 set has
# no reference type for export invoices and payment receipts (19 and 20 came in 2026).
REFERENCE_TYPE = {'01': '01', '02': '02', '03': '03', '04': '04', '09': '19', '10': '20'}
# Mensaje of a MensajeReceptor for each message type.
MENSAJE_BY_TYPE = {'05': 1, '06': 2, '07': 3}
