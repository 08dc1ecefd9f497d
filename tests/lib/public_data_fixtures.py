"""A small data set for the simulator's public data services, shared by the library tests."""

from __future__ import annotations

TAXPAYER = "3101654321"
MOROSO = "109870654"
EXONERATION_VALID = "AL-00012345-26"
EXONERATION_EXPIRED = "AL-00000777-24"
EXONERATION_ANY_CABYS = "AL-00044444-26"
CABYS_SOFTWARE = "8314100000100"
CABYS_SITE = "8314100000200"

DATA = {
    "replace": True,
    "today": "2026-03-10",
    "taxpayers": [
        {
            "identificacion": TAXPAYER,
            "nombre": "Comercial  La Sabana S.A.",
            "tipoIdentificacion": "02",
            "regimen": {"codigo": 1, "descripcion": "Régimen General"},
            "actividades": [
                {"estado": "I", "tipo": "S", "codigo": "4690.0", "descripcion": "VENTA AL POR MAYOR NO ESPECIALIZADA"},
                {"estado": "A", "tipo": "P", "codigo": "4711.1", "descripcion": "VENTA AL POR MENOR EN SUPERMERCADOS",
                 "ciiu3": [{"codigo": "521101", "descripcion": "SUPERMERCADOS"}]},
                {"estado": "A", "tipo": "S", "codigo": "6201.0", "descripcion": "PROGRAMACION INFORMATICA"},
            ],
        },
        {
            "identificacion": MOROSO,
            "nombre": "María Fernández Rojas",
            "tipoIdentificacion": "01",
            "regimen": {"codigo": 2, "descripcion": "Régimen Simplificado"},
            "situacion": {"moroso": "SI", "omiso": "SI", "estado": "Inscrito", "administracionTributaria": "Alajuela"},
            "actividades": [{"estado": "A", "tipo": "P", "codigo": 722003, "descripcion": "CONSULTORIA"}],
        },
    ],
    "rates": [
        {"fecha": "2026-03-06", "dolar": {"compra": 498.12, "venta": 505.31}},
        {"fecha": "2026-03-09", "dolar": {"compra": 499.8, "venta": 506.4}, "euro": {"colones": 548.25, "dolares": 1.0827}},
        {"fecha": "2026-03-10", "dolar": {"compra": 500.02, "venta": 507.18}, "euro": {"colones": 549.9, "dolares": 1.0842}},
        {"fecha": "2026-03-11", "dolar": {"compra": 501.0, "venta": 508.0}},
    ],
    "exoneraciones": [
        {
            "numeroDocumento": EXONERATION_VALID,
            "identificacion": TAXPAYER,
            "fechaEmision": "2026-01-15T00:00:00",
            "fechaVencimiento": "2026-12-31T00:00:00",
            "porcentajeExoneracion": 13,
            "tipoDocumento": {"codigo": "04", "descripcion": "Exenciones Dirección General de Hacienda"},
            "nombreInstitucion": "Dirección General de Hacienda",
            "cabys": [CABYS_SOFTWARE],
        },
        {
            "numeroDocumento": EXONERATION_EXPIRED,
            "identificacion": TAXPAYER,
            "fechaEmision": "2024-02-01T00:00:00",
            "fechaVencimiento": "2025-01-31T00:00:00",
            "porcentajeExoneracion": 13,
            "tipoDocumento": {"codigo": "04", "descripcion": "Exenciones Dirección General de Hacienda"},
            "nombreInstitucion": "Dirección General de Hacienda",
            "cabys": [CABYS_SOFTWARE],
        },
        {
            "numeroDocumento": EXONERATION_ANY_CABYS,
            "identificacion": MOROSO,
            "fechaEmision": "2026-02-01T00:00:00",
            "fechaVencimiento": "2027-01-31T00:00:00",
            "porcentajeExoneracion": 4,
            "tipoDocumento": {"codigo": "03", "descripcion": "Autorizado por Ley Especial"},
            "nombreInstitucion": "Junta de Protección Social (JPS)",
        },
    ],
    "cabys": [
        {"codigo": CABYS_SOFTWARE, "descripcion": "Servicios de diseño y desarrollo de aplicaciones informáticas",
         "impuesto": 13, "categorias": ["Servicios prestados a las empresas", "Servicios de tecnologías de la información"]},
        {"codigo": CABYS_SITE, "descripcion": "Servicios de diseño y desarrollo de páginas web", "impuesto": 13},
        {"codigo": "2391102020000", "descripcion": "Café tostado, descafeinado", "impuesto": 1},
    ],
}
