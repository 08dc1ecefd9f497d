from . import (
    test_alerts,
    test_dashboard,
    test_declared,
    test_hacienda_calls,
    test_indexes,
    test_metrics_endpoint,
    test_monthly_report_tour,
    test_summary,
    test_translations,
)
