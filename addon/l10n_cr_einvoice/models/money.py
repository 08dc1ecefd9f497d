"""Amounts as the library wants them."""

from decimal import ROUND_HALF_UP, Decimal

FIVE_PLACES = Decimal('0.00001')


def money(value):
    """Text with at most five decimals, from the float's shortest representation (never binary noise)."""
    return str(Decimal(repr(float(value))).quantize(FIVE_PLACES, rounding=ROUND_HALF_UP).normalize())
