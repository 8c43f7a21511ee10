"""HTTPS on the store's network: a real `broadcaster serve` beyond loopback speaks TLS with a
certificate made for this PC, which a client trusting the generated CA accepts; HSTS and a
Secure log-in cookie follow; plain HTTP there only when chosen explicitly."""

from __future__ import annotations

import ssl
from datetime import UTC, datetime, timedelta
from ipaddress import ip_address

import httpx
import pytest
from cryptography import x509

from broadcaster.actors import Role
from broadcaster.settings import SettingsError, load_settings
from broadcaster.tls import ensure_generated, tls_files
from tests.kit.accounts import NAMES, PASSWORD
from tests.kit.daemon_process import DaemonProcess
from tests.kit.media import make_tone


def _data(tmp_path):
    data = tmp_path / "data"
    make_tone(data / "music" / "a.wav", 30, 440)
    return data


def test_serve_on_the_network_speaks_tls_with_a_certificate_for_this_pc(tmp_path):
    data = _data(tmp_path)
    # 0.0.0.0: every address of the PC, so beyond loopback: HTTPS without being asked.
    with DaemonProcess(data, https=True, http__host="0.0.0.0", audio__output="null") as daemon:
        ca = data / "tls" / "ca.crt"
        assert ca.is_file() and (data / "tls" / "server.key").stat().st_mode & 0o077 == 0
        trusting = ssl.create_default_context(cafile=str(ca))
        reply = httpx.get(daemon.url + "/api/v1/health", verify=trusting, timeout=10)
        assert reply.status_code == 200
        assert reply.headers["strict-transport-security"].startswith("max-age=")
        # Without the broadcast room's CA the certificate is not trusted.
        with pytest.raises(httpx.ConnectError):
            httpx.get(daemon.url + "/api/v1/health", timeout=10)
        # Plain HTTP on that port is not served.
        with pytest.raises(httpx.HTTPError):
            httpx.get(daemon.url.replace("https:", "http:") + "/api/v1/health", timeout=5)
        # Logging in over it gives a cookie the browser sends only over HTTPS.
        login = httpx.post(daemon.url + "/api/v1/login", verify=trusting, timeout=10,
                           json={"name": NAMES[Role.ADMIN], "password": PASSWORD})  # fmt: skip
        cookies = login.headers.get_list("set-cookie")
        assert cookies and all("secure" in c.lower() for c in cookies), (login.status_code, cookies)
        # The certificate names this PC's addresses, so the desk's PC can reach it by them.
        names = x509.load_pem_x509_certificate((data / "tls" / "server.crt").read_bytes())
        alt = names.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert ip_address("127.0.0.1") in alt.get_values_for_type(x509.IPAddress)
    assert (
        "trust" in daemon.log_path.read_text() and "https://0.0.0.0" in daemon.log_path.read_text()
    )


def test_the_stores_own_certificate_is_used_and_plain_http_only_when_chosen(tmp_path):
    own = ensure_generated(tmp_path / "store-ca", (["localhost"], [ip_address("127.0.0.1")]),
                           now=datetime.now(UTC))  # fmt: skip
    data = _data(tmp_path)
    settings = {"http__tls": "always", "http__tls_cert": str(own.cert),
                "http__tls_key": str(own.key), "audio__output": "null"}  # fmt: skip
    daemon = DaemonProcess(data, https=True, **settings)
    daemon._verify = ssl.create_default_context(cafile=str(own.ca))
    with daemon:
        assert daemon.get("/api/v1/health")["ok"] is True
    assert not (data / "tls").exists()  # nothing generated when the store gives its own
    # Plain HTTP beyond loopback: only when chosen, and then said in the log.
    with DaemonProcess(data, http__host="0.0.0.0", http__insecure_http="true",
                       audio__output="null") as plain:  # fmt: skip
        assert plain.get("/api/v1/health")["ok"] is True
    assert "plain HTTP" in plain.log_path.read_text()


def test_tls_settings_are_checked(tmp_path):
    with pytest.raises(SettingsError, match="tls_key"):
        load_settings(http={"tls_cert": str(tmp_path / "c.pem")})
    with pytest.raises(SettingsError, match="insecure_http"):
        load_settings(http={"insecure_http": True, "tls": "always"})
    missing = load_settings(data_dir=tmp_path, http={"host": "0.0.0.0", "tls_cert": str(
        tmp_path / "c.pem"), "tls_key": str(tmp_path / "k.pem")})  # fmt: skip
    with pytest.raises(SettingsError, match=r"http\.tls_cert"):
        tls_files(missing)
    assert tls_files(load_settings(data_dir=tmp_path)) is None  # loopback: plain HTTP
    assert tls_files(load_settings(data_dir=tmp_path, http={"host": "::1"})) is None


def test_the_certificate_is_made_again_for_new_addresses_and_the_ca_kept(tmp_path):
    now = datetime.now(UTC)
    first = ensure_generated(tmp_path, (["shop-pc"], [ip_address("192.168.1.20")]), now=now)
    assert first.ca is not None
    ca_before, cert_before = first.ca.read_bytes(), first.cert.read_bytes()
    same = ensure_generated(tmp_path, (["shop-pc"], [ip_address("192.168.1.20")]), now=now)
    assert same.cert.read_bytes() == cert_before  # nothing changed: nothing made
    moved = ensure_generated(tmp_path, (["shop-pc"], [ip_address("10.0.0.7")]), now=now)
    assert moved.cert.read_bytes() != cert_before and moved.ca.read_bytes() == ca_before
    late = ensure_generated(tmp_path, (["shop-pc"], [ip_address("10.0.0.7")]),
                            now=now + timedelta(days=380))  # fmt: skip
    renewed = x509.load_pem_x509_certificate(late.cert.read_bytes())
    assert renewed.not_valid_after_utc > now + timedelta(days=400)
