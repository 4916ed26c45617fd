"""Running an installation: audit-chain tools, backups, abuse limits, logs and metrics."""
