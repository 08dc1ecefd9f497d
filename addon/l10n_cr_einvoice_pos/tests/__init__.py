
from . import (
    test_concurrent_sessions,
    test_pos_clock,
    test_pos_documents,
    test_pos_screenshots,
    test_pos_tour,
    test_translations,
)
