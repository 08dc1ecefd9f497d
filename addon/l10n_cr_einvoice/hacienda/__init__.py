"""Plain-Python helpers between Odoo and the hacienda_cr library (no Odoo models here)."""
