"""The import's screen API uses the city of the admin tests (clients, SMTP sink)."""

from tests.admin.conftest import (  # noqa: F401
    anonymous,
    city,
    clients,
    settings,
    sign_in,
    smtp,
)
