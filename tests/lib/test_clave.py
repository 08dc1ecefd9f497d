"""Clave and NumeroConsecutivo: composition, parsing, round trips and rejections."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hacienda_cr.clave import Clave, Consecutivo
from hacienda_cr.errors import InputError


def test_layout_of_a_known_clave():
    clave = Clave.new(date(2026, 11, 27), "3101123456", Consecutivo(1, 1, "01", 42), "1", "12345678")
    assert str(clave) == "506" + "271126" + "003101123456" + "00100001010000000042" + "1" + "12345678"
    assert len(str(clave)) == 50


consecutivos = st.builds(
    Consecutivo,
    st.integers(1, 999),
    st.integers(1, 99999),
    st.sampled_from(["01", "02", "03", "04", "05", "06", "07", "08", "09", "10"]),
    st.integers(1, 9_999_999_999),
)
numeric_ids = st.from_regex(r"[1-9][0-9]{8,11}", fullmatch=True)


@given(
    issued=st.dates(date(2000, 1, 1), date(2099, 12, 31)),
    emitter=numeric_ids,
    consecutivo=consecutivos,
    situation=st.sampled_from(["1", "2", "3"]),
    code=st.from_regex(r"[0-9]{8}", fullmatch=True),
)
def test_numeric_clave_round_trip(issued, emitter, consecutivo, situation, code):
    clave = Clave.new(issued, emitter, consecutivo, situation, code)
    text = str(clave)
    assert len(text) == 50 and text.isdigit()
    assert Clave.parse(text, alphanumeric=False) == clave
    assert Consecutivo.parse(str(consecutivo)) == consecutivo


@given(
    emitter=st.from_regex(r"[A-Z0-9]{1,12}", fullmatch=True).filter(lambda s: not s.startswith("0")),
    code=st.from_regex(r"[A-Za-z0-9]{8}", fullmatch=True),
    consecutivo=consecutivos,
)
def test_alphanumeric_clave_round_trip_in_2026_set(emitter, code, consecutivo):
    clave = Clave.new(date(2026, 11, 27), emitter, consecutivo, "1", code, alphanumeric=True)
    assert Clave.parse(str(clave)) == clave


def test_letters_refused_in_the_2024_set():
    with pytest.raises(InputError) as err:
        Clave.new(date(2026, 1, 5), "3101123456", Consecutivo(1, 1, "01", 1), "1", "ABCD1234")
    assert err.value.issues[0].path == "CodigoSeguridad"


def test_random_security_codes_differ():
    c = Consecutivo(1, 1, "01", 1)
    codes = {Clave.new(date(2026, 1, 5), "3101123456", c).security_code for _ in range(50)}
    assert len(codes) > 45 and all(len(x) == 8 and x.isdigit() for x in codes)


@pytest.mark.parametrize(
    "text, where",
    [
        ("123", "50"),
        ("507" + "271126" + "003101123456" + "00100001010000000042" + "1" + "12345678", "506"),
        ("506" + "321326" + "003101123456" + "00100001010000000042" + "1" + "12345678", "DDMMYY"),
        ("506" + "271126" + "003101123456" + "00100001010000000042" + "7" + "12345678", "situación"),
        ("506" + "271126" + "003101123456" + "00100001990000000042" + "1" + "12345678", "document type"),
    ],
)
def test_malformed_claves_are_explained(text, where):
    with pytest.raises(InputError) as err:
        Clave.parse(text)
    assert where in str(err.value)


@pytest.mark.parametrize(
    "args, path",
    [
        ((0, 1, "01", 1), "Sucursal"),
        ((1, 100000, "01", 1), "Terminal"),
        ((1, 1, "11", 1), "TipoDocumento"),
        ((1, 1, "01", 0), "Numero"),
    ],
)
def test_consecutivo_bounds(args, path):
    with pytest.raises(InputError) as err:
        Consecutivo(*args)
    assert err.value.issues[0].path == path
