"""How each document type counts in the analytics: whose document it is and with which sign."""

# sale: the company's sales (credit notes subtract); purchase: Factura Electrónica de Compra,
# issued by the company as the buyer; receipt: payment receipts (VAT on collection);
# message: the company's answers to supplier documents (Mensaje Receptor), which declare no sale.
DIRECTION_SELECTION = [
    ('sale', 'Sales'),
    ('purchase', 'Purchases (issued by the buyer)'),
    ('receipt', 'Payment receipts'),
    ('message', 'Messages to suppliers'),
]
DIRECTION = {'01': 'sale', '02': 'sale', '03': 'sale', '04': 'sale', '09': 'sale', '08': 'purchase',
             '10': 'receipt', '05': 'message', '06': 'message', '07': 'message'}
SIGN = {'03': -1}


def direction(document_type):
    return DIRECTION.get(document_type, 'sale')


def sign(document_type):
    return SIGN.get(document_type, 1)


def declares_amounts(document_type):
    return direction(document_type) != 'message'
