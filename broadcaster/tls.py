"""HTTPS for the console on the store's network.

``serve`` on an address beyond loopback speaks TLS (``http.tls = "auto"``; ``"always"`` on
loopback too). The certificate is the store's own (``http.tls_cert`` and ``http.tls_key``, e.g.
from the store's CA), or one this module makes for the PC: a small certificate authority of the
broadcast room (``<data_dir>/tls/ca.crt``, the file to trust once on the desk's PC) and a server
certificate it signs for the PC's host names and addresses. The server certificate is made again
when the PC's names or addresses change or it nears its end; the CA stays, so the desk's PC
keeps trusting it. Plain HTTP beyond loopback only with ``http.insecure_http = true``.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from broadcaster.settings import Settings, SettingsError

TLS_DIR = "tls"
CA_YEARS = 10
SERVER_DAYS = 397  # what browsers accept for a server certificate
RENEW_DAYS = 30
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class TlsFiles:
    cert: Path
    key: Path
    ca: Path | None  # the generated CA to trust; None for the store's own certificate


def tls_files(settings: Settings, *, now: datetime | None = None) -> TlsFiles | None:
    """The certificate and key ``serve`` uses, made or renewed if they are ours; None for
    plain HTTP (loopback, or ``insecure_http``). A configured file that is missing stops
    start-up with a message naming the setting."""
    http = settings.http
    if not http.uses_tls:
        return None
    if http.tls_cert is not None and http.tls_key is not None:
        for name, path in (("http.tls_cert", http.tls_cert), ("http.tls_key", http.tls_key)):
            if not path.is_file():
                raise SettingsError(f"{name}: file not found: {path}\n{name}：找不到文件 {path}")
        return TlsFiles(http.tls_cert, http.tls_key, None)
    return ensure_generated(settings.data_dir / TLS_DIR, names_of_this_pc(http.host),
                            now=now or datetime.now(UTC))  # fmt: skip


def names_of_this_pc(host: str) -> tuple[list[str], list[IPAddress]]:
    """The host names and addresses people may type to reach this PC."""
    names = {"localhost", socket.gethostname()}
    with contextlib.suppress(OSError):
        names.add(socket.getfqdn())
    addresses: set[IPAddress] = {ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")}
    try:
        import psutil

        for entries in psutil.net_if_addrs().values():
            for entry in entries:
                if entry.family in (socket.AF_INET, socket.AF_INET6):
                    with contextlib.suppress(ValueError):
                        addresses.add(ipaddress.ip_address(entry.address.split("%")[0]))
    except ImportError:  # pragma: no cover - psutil is a dependency
        pass
    try:
        addresses.add(ipaddress.ip_address(host))
    except ValueError:
        names.add(host)
    addresses -= {ipaddress.ip_address("0.0.0.0"), ipaddress.ip_address("::")}
    return sorted(n for n in names if n), sorted(addresses, key=lambda a: (a.version, int(a)))


def ensure_generated(folder: Path, names: tuple[list[str], list[IPAddress]], *,
                     now: datetime) -> TlsFiles:  # fmt: skip
    """The broadcast room's CA (made once) and a server certificate for ``names``, made again
    when the names differ or fewer than RENEW_DAYS days are left."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    folder.mkdir(parents=True, exist_ok=True)
    ca_cert, ca_key = folder / "ca.crt", folder / "ca.key"
    cert, key = folder / "server.crt", folder / "server.key"
    if not (ca_cert.is_file() and ca_key.is_file()):
        _make_ca(ca_cert, ca_key, now)
    if cert.is_file() and key.is_file():
        current = x509.load_pem_x509_certificate(cert.read_bytes())
        if (_subject_names(current) == _wanted(names)
                and current.not_valid_after_utc - now > timedelta(days=RENEW_DAYS)):  # fmt: skip
            return TlsFiles(cert, key, ca_cert)
    authority = x509.load_pem_x509_certificate(ca_cert.read_bytes())
    authority_key = serialization.load_pem_private_key(ca_key.read_bytes(), password=None)
    _make_server(cert, key, authority, authority_key, names, now)
    return TlsFiles(cert, key, ca_cert)


def _wanted(names: tuple[list[str], list[IPAddress]]) -> set[str]:
    return set(names[0]) | {str(a) for a in names[1]}


def _subject_names(certificate: object) -> set[str]:
    from cryptography import x509

    assert isinstance(certificate, x509.Certificate)
    try:
        alt = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set()
    return set(alt.get_values_for_type(x509.DNSName)) | {
        str(a) for a in alt.get_values_for_type(x509.IPAddress)
    }


def _write_private(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    partial.replace(path)


def _write_public(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    partial.replace(path)


def _name(common: str) -> object:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "broadcaster"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])  # fmt: skip


def _make_ca(cert_path: Path, key_path: Path, now: datetime) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(f"broadcaster CA ({socket.gethostname()})")
    assert isinstance(name, x509.Name)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    _write_private(key_path, key.private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))  # fmt: skip
    _write_public(cert_path, certificate.public_bytes(serialization.Encoding.PEM))


def _make_server(cert_path: Path, key_path: Path, authority: object, authority_key: object,
                 names: tuple[list[str], list[IPAddress]], now: datetime) -> None:  # fmt: skip
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID

    assert isinstance(authority, x509.Certificate)
    assert isinstance(authority_key, ec.EllipticCurvePrivateKey)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = _name(names[0][0] if names[0] else "broadcaster")
    assert isinstance(subject, x509.Name)
    alt = x509.SubjectAlternativeName(
        [x509.DNSName(n) for n in names[0]] + [x509.IPAddress(a) for a in names[1]]
    )
    certificate = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(authority.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(min(now + timedelta(days=SERVER_DAYS), authority.not_valid_after_utc))
        .add_extension(alt, critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            authority_key.public_key()), critical=False)
        .sign(authority_key, hashes.SHA256())
    )  # fmt: skip
    _write_private(key_path, key.private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))  # fmt: skip
    _write_public(cert_path, certificate.public_bytes(serialization.Encoding.PEM))
