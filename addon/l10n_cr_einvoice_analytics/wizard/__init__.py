from . import monthly_report
