from . import test_alerts, test_dashboard, test_declared, test_hacienda_calls, test_metrics_endpoint, test_translations
