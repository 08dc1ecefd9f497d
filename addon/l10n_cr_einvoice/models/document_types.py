"""The electronic documents this module issues, with the short names used in file names."""

DOCUMENT_TYPE_SELECTION = [
    ('01', 'Electronic Invoice (01)'),
    ('02', 'Electronic Debit Note (02)'),
    ('03', 'Electronic Credit Note (03)'),
    ('04', 'Electronic Ticket (04)'),
    ('08', 'Electronic Purchase Invoice (08)'),
    ('09', 'Electronic Export Invoice (09)'),
    ('10', 'Electronic Payment Receipt (10)'),
]
ABBREVIATIONS = {'01': 'FE', '02': 'ND', '03': 'NC', '04': 'TE', '08': 'FEC', '09': 'FEE', '10': 'REP'}
# Documents whose reader is the customer (they get the e-mail once accepted).
CUSTOMER_DOCUMENTS = ('01', '02', '03', '04', '09', '10')
