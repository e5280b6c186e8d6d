"""The service fixtures of tests/api (app, client, live_server on SQLite and
PostgreSQL), shared with the hostile-input tests."""

from tests.api.conftest import (  # noqa: F401
    app,
    app_config,
    cheap_passwords,
    client,
    database_url,
    live_server,
    sample_site_for_api,
)
