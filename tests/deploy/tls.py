"""Certificates for a deployment test: a test CA, the proxy's certificate for `localhost`, and
device certificates issued by a city CA (with a revocation list for lost tablets).

Everything is made with `cryptography` in the test's temporary directory; nothing is trusted
outside the test (httpx is given the CA explicitly).
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALID_FOR = timedelta(days=2)


@dataclass
class Issued:
    """A certificate and its key, written as PEM files."""

    cert_path: Path
    key_path: Path
    certificate: x509.Certificate

    def fingerprint(self, algorithm: str) -> str:
        """Lower-case hex digest of the DER certificate, as a proxy passes it on."""
        der = self.certificate.public_bytes(serialization.Encoding.DER)
        return hashlib.new(algorithm, der).hexdigest()


class Authority:
    """A small CA: signs server or client certificates and revocation lists."""

    def __init__(self, directory: Path, name: str) -> None:
        self.directory = directory
        self.name = name
        self.key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC)
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + VALID_FOR)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True, content_commitment=False, key_encipherment=False,
                    data_encipherment=False, key_agreement=False, key_cert_sign=True,
                    crl_sign=True, encipher_only=False, decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False
            )
            .sign(self.key, hashes.SHA256())
        )
        self.cert_path = directory / f"{name}-ca.pem"
        self.cert_path.write_bytes(self.certificate.public_bytes(serialization.Encoding.PEM))

    def issue_server(self, host: str = "localhost") -> Issued:
        names: list[x509.GeneralName] = [
            x509.DNSName(host),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            x509.IPAddress(ipaddress.ip_address("::1")),
        ]
        return self._issue(host, x509.SubjectAlternativeName(names),
                           ExtendedKeyUsageOID.SERVER_AUTH)

    def issue_client(self, device_name: str) -> Issued:
        return self._issue(device_name, None, ExtendedKeyUsageOID.CLIENT_AUTH)

    def revocation_list(self, revoked: list[Issued]) -> Path:
        """A CRL naming `revoked` (the city's list of lost tablets)."""
        now = datetime.now(UTC)
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.certificate.subject)
            .last_update(now - timedelta(minutes=5))
            .next_update(now + VALID_FOR)
        )
        for issued in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(issued.certificate.serial_number)
                .revocation_date(now - timedelta(minutes=1))
                .build()
            )
        crl = builder.sign(self.key, hashes.SHA256())
        path = self.directory / f"{self.name}.crl"
        path.write_bytes(crl.public_bytes(serialization.Encoding.PEM))
        return path

    def _issue(
        self, common_name: str, names: x509.SubjectAlternativeName | None,
        usage: x509.ObjectIdentifier,
    ) -> Issued:
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC)
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + VALID_FOR)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                critical=False,
            )
        )
        if names is not None:
            builder = builder.add_extension(names, critical=False)
        certificate = builder.sign(self.key, hashes.SHA256())
        stem = self.directory / f"{self.name}-{common_name}"
        cert_path = stem.with_suffix(".pem")
        key_path = stem.with_suffix(".key")
        cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ))
        key_path.chmod(0o644)  # nginx/caddy read it; the directory is the test's own
        return Issued(cert_path=cert_path, key_path=key_path, certificate=certificate)
