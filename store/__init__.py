"""What the server and the sync engine both stand on: the tables (`store.models`) and the
writers' queue (`store.writer`). Nothing here imports `server` or `sync`; both import this."""
