"""What the server and the sync engine both stand on: the tables (`store.models`), the
writers' queue (`store.writer`) and one-statement reads (`store.one_statement`). Nothing here
imports `server` or `sync`; both import this."""
