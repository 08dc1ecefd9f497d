# ruff: noqa: F401 - Odoo loads the modules by importing them
from . import models
