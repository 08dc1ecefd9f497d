"""Reading and writing the values of simple elements, as the XSD's simple types define them.

Money is ``Decimal`` throughout, written with the type's ``fractionDigits`` (5 for
Hacienda's ``DecimalDineroType``), never a float.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache

from hacienda_cr.costa_rica_time import format_datetime, parse_datetime, to_costa_rica
from hacienda_cr.documents.schema_tree import Simple

DECIMAL_BASES = {"decimal"}
INTEGER_BASES = {"integer", "positiveInteger", "int", "long", "nonNegativeInteger"}


# Characters XML 1.0 cannot carry (control characters, lone surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class ValueProblem(ValueError):
    """A value that does not fit its element; the message is meant for users."""


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    # XSD patterns are implicitly anchored; their \d is any Unicode digit in XSD but
    # Hacienda means ASCII digits, so match ASCII only.
    return re.compile(pattern, re.ASCII)


@cache
def _digits_width(pattern: str | None) -> int | None:
    """Width of an all-digit pattern (``\\d\\d``, ``\\d{2}``) so integers are zero-padded."""
    if not pattern:
        return None
    m = re.fullmatch(r"(?:\\d)+", pattern)
    if m:
        return len(pattern) // 2
    m = re.fullmatch(r"\\d\{(\d+)(?:,(\d+))?\}", pattern)
    if m and (m.group(2) is None or m.group(1) == m.group(2)):
        return int(m.group(1))
    return None


def to_decimal(raw: object) -> Decimal:
    """Decimal from str/int/Decimal/float (floats through their shortest repr)."""
    if isinstance(raw, bool):
        raise ValueProblem("expected a number, got a boolean")
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(repr(raw))
    elif isinstance(raw, str):
        try:
            value = Decimal(raw.strip())
        except InvalidOperation:
            raise ValueProblem(f"{raw!r} is not a number") from None
    else:
        raise ValueProblem(f"expected a number, got {type(raw).__name__}")
    if not value.is_finite():
        raise ValueProblem(f"{raw!r} is not a finite number")
    return value


def _check_range(value: Decimal | int, simple: Simple) -> None:
    if simple.min_inclusive is not None and value < Decimal(simple.min_inclusive):
        raise ValueProblem(f"{value} is below the minimum {simple.min_inclusive}")
    if simple.max_inclusive is not None and value > Decimal(simple.max_inclusive):
        raise ValueProblem(f"{value} is above the maximum {simple.max_inclusive}")


def _check_digits(value: Decimal, simple: Simple) -> None:
    exponent = value.normalize().as_tuple().exponent
    fraction = max(0, -exponent) if isinstance(exponent, int) else 0
    if simple.fraction_digits is not None and fraction > simple.fraction_digits:
        raise ValueProblem(f"{value} has {fraction} decimals; at most {simple.fraction_digits} are allowed")
    if simple.total_digits is not None:
        # From the exponent, not by rounding to an integer: a number longer than the decimal
        # context's 28 digits cannot be rounded (InvalidOperation) and must get this message.
        integer_digits = max(0, value.adjusted() + 1) if value else 0
        allowed = simple.total_digits - (simple.fraction_digits or 0)
        if integer_digits > allowed:
            raise ValueProblem(f"{value} has more than {allowed} digits before the decimal point")


def parse_value(raw: object, simple: Simple):
    """Convert an input value to its Python form (str, Decimal, int or aware datetime)."""
    base = simple.base
    if base in DECIMAL_BASES:
        value = to_decimal(raw)
        _check_digits(value, simple)
        _check_range(value, simple)
        return value
    if base in INTEGER_BASES:
        if isinstance(raw, bool):
            raise ValueProblem("expected a whole number, got a boolean")
        try:
            value = int(raw) if not isinstance(raw, (Decimal, float)) else int(to_decimal(raw))
            if isinstance(raw, (Decimal, float)) and to_decimal(raw) != value:
                raise ValueError
        except (TypeError, ValueError):
            raise ValueProblem(f"{raw!r} is not a whole number") from None
        if base == "positiveInteger" and value < 1:
            raise ValueProblem(f"{value} is not a positive whole number")
        if simple.total_digits is not None and len(str(abs(value))) > simple.total_digits:
            raise ValueProblem(f"{value} has more than {simple.total_digits} digits")
        _check_range(value, simple)
        if simple.enum is not None and str(value) not in simple.enum:
            raise ValueProblem(f"{value} is not one of {', '.join(simple.enum)}")
        width = _digits_width(simple.pattern)
        if simple.pattern and width is None and not _regex(simple.pattern).fullmatch(str(value)):
            raise ValueProblem(f"{value} does not match the pattern {simple.pattern}")
        if width is not None and len(str(value)) > width:
            raise ValueProblem(f"{value} has more than {width} digits")
        return value
    if base == "dateTime":
        if isinstance(raw, datetime):
            return to_costa_rica(raw)
        if isinstance(raw, date):
            return to_costa_rica(datetime.combine(raw, datetime.min.time()))
        if not isinstance(raw, str):
            raise ValueProblem(f"expected a date-time, got {type(raw).__name__}")
        try:
            return to_costa_rica(parse_datetime(raw))
        except ValueError:
            raise ValueProblem(f"{raw!r} is not an ISO 8601 date-time") from None
    # strings (and any other base): keep text exactly as given
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise ValueProblem(f"expected text, got {type(raw).__name__}")
    text = str(raw)
    bad = _NOT_XML.search(text)
    if bad:
        raise ValueProblem(f"contains the character U+{ord(bad.group()):04X}, which XML does not allow")
    if simple.enum is not None and text not in simple.enum:
        hint = ""
        if text.isdigit() and text.zfill(2) in simple.enum:
            hint = f" (did you mean {text.zfill(2)!r}? codes are text)"
        listing = ", ".join(simple.enum) if len(simple.enum) <= 25 else f"{len(simple.enum)} codes"
        raise ValueProblem(f"{text!r} is not a valid code{hint}; allowed: {listing}")
    if simple.min_length is not None and len(text) < simple.min_length:
        raise ValueProblem(f"{text!r} is shorter than {simple.min_length} characters")
    if simple.max_length is not None and len(text) > simple.max_length:
        raise ValueProblem(f"is longer than {simple.max_length} characters ({len(text)})")
    if simple.pattern and not _regex(simple.pattern).fullmatch(text):
        raise ValueProblem(f"{text!r} does not match the pattern {simple.pattern}")
    return text


def format_value(value, simple: Simple) -> str:
    """The XML text of a parsed value."""
    base = simple.base
    if base in DECIMAL_BASES:
        if simple.fraction_digits is not None:
            return f"{value:.{simple.fraction_digits}f}"
        return format(value.normalize(), "f")
    if base in INTEGER_BASES:
        width = _digits_width(simple.pattern)
        return str(value).zfill(width) if width else str(value)
    if base == "dateTime":
        return format_datetime(value)
    return value


def read_value(text: str, simple: Simple):
    """Parse the XML text of a simple element (documents read back from XML)."""
    text = text.strip() if simple.base != "string" else text
    return parse_value(text, simple)


# Building documents parses and writes every value; these per-type functions do the common
# cases with the fewest steps and hand anything unusual to parse_value/format_value, which
# own the rules and the error messages. Keyed by id(): simple types are module constants.
_PARSERS: dict[int, object] = {}
_FORMATTERS: dict[int, object] = {}


def parser_for(simple: Simple):
    parser = _PARSERS.get(id(simple))
    if parser is None:
        parser = _PARSERS[id(simple)] = _make_parser(simple)
    return parser


def formatter_for(simple: Simple):
    formatter = _FORMATTERS.get(id(simple))
    if formatter is None:
        formatter = _FORMATTERS[id(simple)] = _make_formatter(simple)
    return formatter


def _make_parser(simple: Simple):
    def slow(raw):
        return parse_value(raw, simple)

    if simple.base in DECIMAL_BASES:
        fraction = simple.fraction_digits
        integer_digits = simple.total_digits - (fraction or 0) if simple.total_digits is not None else None
        bound = Decimal(10) ** integer_digits if integer_digits is not None else None
        low = Decimal(simple.min_inclusive) if simple.min_inclusive is not None else None
        high = Decimal(simple.max_inclusive) if simple.max_inclusive is not None else None

        def parse_decimal(raw):
            kind = type(raw)
            if kind is Decimal:
                value = raw
            elif kind is str or kind is int:
                try:
                    value = Decimal(raw)
                except InvalidOperation:
                    return slow(raw)
            else:
                return slow(raw)
            if not value.is_finite():
                return slow(raw)
            if fraction is not None:
                # Text without an exponent has at most as many decimals as characters after its
                # point (underscores and spaces only add characters): when those fit, so does
                # the value, without building its digit tuple. Anything else is measured exactly.
                if kind is str and "e" not in raw and "E" not in raw:
                    dot = raw.find(".")
                    measure = dot >= 0 and len(raw) - dot - 1 > fraction
                else:
                    measure = True
                if measure and value.as_tuple().exponent < -fraction:
                    return slow(raw)  # may still fit once trailing zeros go; slow path decides
            if bound is not None and abs(value) >= bound:
                return slow(raw)
            if (low is not None and value < low) or (high is not None and value > high):
                return slow(raw)
            return value

        return parse_decimal
    if simple.base in INTEGER_BASES and simple.enum is None:
        width = _digits_width(simple.pattern)
        if simple.pattern and width is None:
            return slow
        digits = width or simple.total_digits
        low = (
            int(simple.min_inclusive)
            if simple.min_inclusive is not None
            else (1 if simple.base == "positiveInteger" else None)
        )
        high = int(Decimal(simple.max_inclusive)) if simple.max_inclusive is not None else None

        def parse_integer(raw):
            if type(raw) is not int:
                return slow(raw)
            if (low is not None and raw < low) or (high is not None and raw > high):
                return slow(raw)
            if digits is not None and len(str(abs(raw))) > digits:
                return slow(raw)
            return raw

        return parse_integer
    if simple.base == "string" and simple.enum is not None:
        allowed = frozenset(simple.enum)

        def parse_code(raw):
            return raw if type(raw) is str and raw in allowed else slow(raw)

        return parse_code
    if simple.base == "string":  # free text, or text with a pattern (CABYS codes, e-mail, …)
        low, high = simple.min_length, simple.max_length
        match = _regex(simple.pattern).fullmatch if simple.pattern else None

        def parse_text(raw):
            # Printable text holds none of _NOT_XML's characters (controls, surrogates and
            # non-characters are not printable): the test is cheaper than the search.
            if type(raw) is not str or (not raw.isprintable() and _NOT_XML.search(raw)):
                return slow(raw)
            if (low is not None and len(raw) < low) or (high is not None and len(raw) > high):
                return slow(raw)
            if match is not None and match(raw) is None:
                return slow(raw)
            return raw

        return parse_text
    return slow


XML_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
# What code made from ``inline_format`` needs in its namespace.
INLINE_NAMESPACE = {"XML_TEXT_ESCAPES": XML_TEXT_ESCAPES, "CR": "\r"}


def escape_text(text: str) -> str:
    """``text`` escaped for an element's content. Most texts need nothing: four substring
    tests cost a tenth of ``translate``'s per-character table lookups, so it runs only when
    one of its characters is there."""
    if "&" in text or "<" in text or ">" in text or "\r" in text:
        return text.translate(XML_TEXT_ESCAPES)
    return text


def fixed_point_spec(simple: Simple) -> str | None:
    """The format spec of a decimal type with fractionDigits (``.5f`` for amounts), else None."""
    if simple.base in DECIMAL_BASES and simple.fraction_digits is not None:
        return f".{simple.fraction_digits}f"
    return None


def inline_format(simple: Simple, name: str) -> str | None:
    """What ``formatter_for(simple)`` does to the value called ``name``, as the replacement
    field of an f-string (``{name:.5f}``), for writers generated as code: the text is made
    without a call per value. None when only the formatter can (date-times). The escaping
    code's namespace must hold ``INLINE_NAMESPACE``; text is escaped as ``escape_text`` does,
    written inline."""
    spec = fixed_point_spec(simple)
    if spec is not None:
        return f"{{{name}:{spec}}}"
    if simple.base in DECIMAL_BASES:
        return None
    if simple.base in INTEGER_BASES:
        width = _digits_width(simple.pattern)
        return f"{{str({name}).zfill({width})}}" if width else f"{{{name}}}"  # format(x, "") is str(x)
    if simple.base == "dateTime":
        return None
    if simple.enum is not None and all(v.isalnum() for v in simple.enum):
        return f"{{{name}}}"
    return (
        f"{{({name}.translate(XML_TEXT_ESCAPES) "
        f"if '&' in {name} or '<' in {name} or '>' in {name} or CR in {name} else {name})}}"
    )


def _make_formatter(simple: Simple):
    """value -> the element's XML text, escaped."""
    if simple.base in DECIMAL_BASES:
        spec = fixed_point_spec(simple)
        if spec:
            return lambda value: format(value, spec)
        return lambda value: format(value.normalize(), "f")
    if simple.base in INTEGER_BASES:
        width = _digits_width(simple.pattern)
        return (lambda value: str(value).zfill(width)) if width else str
    if simple.base == "dateTime":
        return format_datetime
    if simple.enum is not None and all(v.isalnum() for v in simple.enum):
        return str  # codes need no escaping
    return escape_text
