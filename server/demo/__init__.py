"""Demo data: a fictional city (みどり市), its offices, staff, three patients and their rooms.

`load_demo` inserts it all in one transaction and commits; `demo_loaded` and
`has_non_demo_users` let start-up decide whether to load it.
"""

from .data import DEMO_PASSWORD, DEMO_TOTP_SECRET
from .loader import (
    DemoAlreadyLoadedError,
    DemoSummary,
    demo_loaded,
    has_non_demo_users,
    load_demo,
)

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_TOTP_SECRET",
    "DemoAlreadyLoadedError",
    "DemoSummary",
    "demo_loaded",
    "has_non_demo_users",
    "load_demo",
]
