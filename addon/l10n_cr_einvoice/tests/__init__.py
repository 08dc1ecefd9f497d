# ruff: noqa: F401 - Odoo finds the tests by importing them
from . import test_documents
