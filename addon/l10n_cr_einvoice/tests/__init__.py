
from . import (
    test_cabys_import,
    test_code_data,
    test_configuration,
    test_cron_lock,
    test_delivery,
    test_documents,
    test_hooks,
    test_neutralize,
    test_numbering_race,
    test_queue,
    test_security,
    test_supplier_documents,
    test_supplier_tour,
    test_tour,
    test_translations,
)
