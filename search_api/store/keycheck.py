"""Does the configured personal-data key open the data already stored?

A database restored from a backup and opened with another key (or none)
would answer every page that shows personal data with an error. The service
checks at start (:func:`search_api.service.install`) and refuses to start
with this module's message; ``portal deploy check`` reports the same.
"""

from __future__ import annotations

from sqlalchemy import Engine, select

from search_api.store.errors import PersonalDataKeyError
from search_api.store.personal import PersonalCipher
from search_api.store.schema import requests

_SEALED = "aesgcm1:"


def personal_key_problem(engine: Engine, key: str | None) -> str | None:
    """Why ``key`` cannot read the stored requests' personal data, or None.

    Looks at one request sealed with another key than ``key`` (or any sealed
    one when no key is configured) and at the newest request, which must
    open. Never raises for a wrong key: the answer is the explanation.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: the database cannot be read.
    """
    try:
        cipher = PersonalCipher(key)
    except ValueError as exc:
        return f"PERSONAL_DATA_KEY is not a valid key: {exc}"
    column = requests.c.personal
    with engine.connect() as conn:
        query = select(requests.c.number, column).where(column.like(f"{_SEALED}%"))
        if cipher.encrypts:
            query = query.where(~column.like(f"{_SEALED}{cipher.key_id}:%"))
        row = conn.execute(query.limit(1)).first()
        newest = conn.execute(select(requests.c.number, column).order_by(
            requests.c.received.desc(), requests.c.number.desc()).limit(1)).first()
    for found in (row, newest):
        if found is None:
            continue
        try:
            cipher.open(found.number, found.personal)
        except PersonalDataKeyError as exc:
            return (f"{exc}: set PORTAL_PERSONAL_DATA_KEY to the key the data was "
                    "stored with (keep it apart from the backups; see docs/operators.md)")
    return None
