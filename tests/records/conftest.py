"""The room record's tests use the city of the admin tests: offices, people, signed-in clients
and a real SMTP sink."""

from tests.admin.conftest import (  # noqa: F401
    anonymous,
    city,
    clients,
    settings,
    sign_in,
    smtp,
)
