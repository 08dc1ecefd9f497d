"""Costa Rica electronic invoicing (Hacienda comprobantes electrónicos v4.4).

The library knows nothing of Odoo: it turns documents described as plain data into
signed XML, validates them, talks to Hacienda's API and simulates Hacienda locally.
"""

__version__ = "0.1.0"
