"""Test-support helpers: a software WebAuthn authenticator, an SMTP sink and a Web Push receiver."""
