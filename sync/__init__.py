"""The delta-sync engine: records every change to synced data in the writing
transaction, serves pulls from an opaque cursor and applies pushed mutations
idempotently. Free of Litestar: it works on a bare SQLAlchemy session."""
