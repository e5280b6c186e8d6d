"""The personal part of a request's stored form (SPEC §7): the applicant's
clear identity number and contacts, and the free texts that hold a clear
identifier, are taken out of the snapshot (kept masked there) into a
separate part the store encrypts, and put back when the two are joined."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.catalogue.desensitize import find_pii, mask_pii_text
from domain.procedures.request_decode import Reader
from domain.procedures.request_encode import PERSONAL_FIELDS, CodecError

FREE_TEXT_FIELDS = ("data_description", "purpose", "scope_of_use", "security_measures")
"""The applicant's free texts: kept masked in the snapshot when they hold a
clear identifier, whole in the personal part (``CLEAR_PREFIX`` + name)."""

CLEAR_PREFIX = "clear:"


def split_personal(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """``(rest, personal)``: the dict of a request without the application's
    personal fields, and those fields alone. A free text of the application
    holding a clear ID, mobile or card number is masked in ``rest``
    (``110******14``) and kept whole in ``personal`` under
    ``clear:<field>``.

    Raises:
        CodecError: ``data`` has no application or lacks a personal field.
    """
    rest = dict(data)
    app = Reader(data, "request").obj("application")
    personal = {name: app.text(name) for name in PERSONAL_FIELDS}
    kept = {k: v for k, v in app.data.items() if k not in PERSONAL_FIELDS}
    for name in FREE_TEXT_FIELDS:
        value = kept.get(name)
        if isinstance(value, str) and find_pii(value):
            personal[CLEAR_PREFIX + name] = value
            kept[name] = mask_pii_text(value)
    rest["application"] = kept
    return rest, personal


def join_personal(rest: Mapping[str, Any], personal: Mapping[str, str]) -> dict[str, Any]:
    """The inverse of :func:`split_personal`.

    Raises:
        CodecError: ``rest`` has no application, or a personal field is missing.
    """
    out = dict(rest)
    app = dict(Reader(rest, "request").obj("application").data)
    for name in PERSONAL_FIELDS:
        if name not in personal:
            raise CodecError(f"personal data: {name} is missing")
        app[name] = personal[name]
    for key, value in personal.items():
        if key.startswith(CLEAR_PREFIX) and key[len(CLEAR_PREFIX):] in FREE_TEXT_FIELDS:
            app[key[len(CLEAR_PREFIX):]] = value
    out["application"] = app
    return out


