"""The shipped reverse-proxy configurations (deploy/nginx, deploy/caddy), run for real.

Each renderer starts from the file an operator copies and changes only what a test machine
must change (ports, certificate paths, the host name, the optional mutual-TLS lines); every
change must match the shipped text exactly once, so a config that drifts breaks the test
instead of being silently tested in some other shape.
"""

from __future__ import annotations

import os
import shutil
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.browser.server import free_port, stop_process

ROOT = Path(__file__).resolve().parents[2]
NGINX_CONF = ROOT / "deploy" / "nginx" / "carebook.conf"
CADDYFILE = ROOT / "deploy" / "caddy" / "Caddyfile"
START_TIMEOUT_S = 30.0
PROXIES = ("nginx", "caddy")


@dataclass
class Certificates:
    """What a rendered config needs: the proxy's certificate and, for mutual TLS, the city CA
    that issues device certificates (and its revocation list, nginx only)."""

    server_cert: Path
    server_key: Path
    client_ca: Path | None = None
    client_crl: Path | None = None


@dataclass
class RunningProxy:
    kind: str
    url: str  # https://localhost:<port>
    port: int
    http_port: int
    directory: Path
    process: subprocess.Popen[bytes]

    def log(self) -> str:
        names = ("error.log", "caddy.log", "stdout.log")
        parts = [(self.directory / n).read_text(errors="replace")
                 for n in names if (self.directory / n).exists()]
        return "\n".join(parts)


def replace_once(text: str, old: str, new: str) -> str:
    count = text.count(old)
    if count != 1:
        raise AssertionError(f"the shipped config should hold {old!r} once, found {count}")
    return text.replace(old, new)


def executable(kind: str) -> str:
    found = shutil.which(kind) or shutil.which(kind, path="/usr/sbin:/usr/bin")
    if found is None:
        raise RuntimeError(
            f"{kind} is missing: the deployment tests run the shipped {kind} config. Install it "
            f"with `apt-get install {kind}` (scripts/ensure-test-tools.sh does it as root)."
        )
    return found


# --- nginx ----------------------------------------------------------------------------------


def render_nginx(
    upstreams: tuple[int, int], https_port: int, http_port: int, certs: Certificates
) -> str:
    text = NGINX_CONF.read_text(encoding="utf-8")
    text = replace_once(text, "server 127.0.0.1:8001 ", f"server 127.0.0.1:{upstreams[0]} ")
    text = replace_once(text, "server 127.0.0.1:8002 ", f"server 127.0.0.1:{upstreams[1]} ")
    text = replace_once(text, "    listen 80;\n    listen [::]:80;\n",
                        f"    listen 127.0.0.1:{http_port};\n")
    text = replace_once(
        text, "    listen 443 ssl http2;\n    listen [::]:443 ssl http2;\n",
        f"    listen 127.0.0.1:{https_port} ssl http2;\n    listen [::1]:{https_port} ssl http2;\n",
    )
    text = replace_once(text, "/etc/letsencrypt/live/carebook.example.jp/fullchain.pem",
                        str(certs.server_cert))
    text = replace_once(text, "/etc/letsencrypt/live/carebook.example.jp/privkey.pem",
                        str(certs.server_key))
    text = text.replace("server_name carebook.example.jp;", "server_name localhost;")
    if certs.client_ca is not None:
        text = replace_once(text, "#ssl_client_certificate /etc/carebook/client-ca.pem;",
                            f"ssl_client_certificate {certs.client_ca};")
        text = replace_once(text, "#ssl_verify_client on;", "ssl_verify_client on;")
        text = replace_once(text, "#ssl_verify_depth 2;", "ssl_verify_depth 2;")
        crl = f"ssl_crl {certs.client_crl};" if certs.client_crl else ""
        text = replace_once(text, "#ssl_crl /etc/carebook/client-ca.crl;", crl)
    return text


def _nginx_main(directory: Path, site: Path) -> str:
    """A minimal nginx.conf around the site file, as Debian's includes sites-enabled/*."""
    temp = directory / "temp"
    temp.mkdir()
    # As root, nginx's workers would run as `nobody`, who cannot enter pytest's private
    # temporary directories; the operator's install keeps Debian's `www-data`.
    user = "user root;\n" if os.geteuid() == 0 else ""
    paths = "\n".join(
        f"    {name}_temp_path {temp / name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}worker_processes 1;\n"
        f"pid {directory / 'nginx.pid'};\n"
        f"error_log {directory / 'error.log'} info;\n"
        "events { worker_connections 512; }\n"
        "http {\n"
        f"    access_log {directory / 'access.log'};\n"
        f"{paths}\n"
        f"    include {site};\n"
        "}\n"
    )


# --- Caddy ----------------------------------------------------------------------------------


def render_caddy(
    upstreams: tuple[int, int], https_port: int, http_port: int, certs: Certificates,
    directory: Path,
) -> str:
    text = CADDYFILE.read_text(encoding="utf-8")
    text = replace_once(text, "reverse_proxy 127.0.0.1:8001 127.0.0.1:8002",
                        f"reverse_proxy 127.0.0.1:{upstreams[0]} 127.0.0.1:{upstreams[1]}")
    tls = f"tls {certs.server_cert} {certs.server_key}"
    if certs.client_ca is None:
        text = replace_once(text, "carebook.example.jp {",
                            f"https://localhost:{https_port} {{\n\t{tls}")
    else:
        text = replace_once(text, "carebook.example.jp {", f"https://localhost:{https_port} {{")
        block_start = "\t# tls {\n"
        block_end = "\t# }\n"
        begin = text.index(block_start)
        end = text.index(block_end, begin) + len(block_end)
        block = text[begin:end].replace("\t# ", "\t").replace("# \t", "\t")
        block = replace_once(block, "\ttls {", f"\t{tls} {{")
        block = replace_once(block, "/etc/carebook/client-ca.pem", str(certs.client_ca))
        text = text[:begin] + block + text[end:]
    options = (
        "{\n"
        "\tadmin off\n"
        "\tauto_https disable_redirects\n"
        f"\thttp_port {http_port}\n"
        f"\thttps_port {https_port}\n"
        f"\tstorage file_system {directory / 'storage'}\n"
        "\tlog {\n"
        f"\t\toutput file {directory / 'caddy.log'}\n"
        "\t}\n"
        "}\n\n"
    )
    return options + text


# --- running --------------------------------------------------------------------------------


def _client_context(ca: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(ca))


def _wait_until_answering(proxy: RunningProxy, ca: Path, *, needs_client_cert: bool) -> None:
    """Until the proxy answers on its TLS port (any HTTP answer, even a refusal, will do)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    context = _client_context(ca)
    last = ""
    while time.monotonic() < deadline:
        if proxy.process.poll() is not None:
            raise RuntimeError(f"{proxy.kind} exited with {proxy.process.returncode}:\n"
                               f"{proxy.log()}")
        try:
            with urllib.request.urlopen(  # noqa: S310 - https to our own loopback proxy
                proxy.url + "/api/health", timeout=2, context=context
            ) as answer:
                if answer.status == 200:
                    return
        except urllib.error.HTTPError as exc:
            if needs_client_cert or exc.code != 502:
                return
            last = f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError) as exc:
            last = str(exc)
            if needs_client_cert and "certificate" in last.lower():
                return
        time.sleep(0.1)
    raise RuntimeError(f"{proxy.kind} did not answer {proxy.url} within "
                       f"{START_TIMEOUT_S:.0f}s ({last}):\n{proxy.log()}")


def check_config(kind: str, directory: Path) -> subprocess.CompletedProcess[str]:
    """`nginx -t` / `caddy validate` on the rendered files, as docs/deploy.md tells operators."""
    if kind == "nginx":
        command = [executable("nginx"), "-t", "-p", str(directory), "-c",
                   str(directory / "nginx.conf")]
    else:
        command = [executable("caddy"), "validate", "--adapter", "caddyfile", "--config",
                   str(directory / "Caddyfile")]
    return subprocess.run(command, capture_output=True, text=True, timeout=60,
                          env=_caddy_env(directory), check=False)


def _caddy_env(directory: Path) -> dict[str, str]:
    return {**os.environ, "HOME": str(directory), "XDG_DATA_HOME": str(directory / "data"),
            "XDG_CONFIG_HOME": str(directory / "config")}


def write_config(kind: str, directory: Path, upstreams: tuple[int, int], https_port: int,
                 http_port: int, certs: Certificates) -> None:
    if kind == "nginx":
        site = directory / "carebook.conf"
        site.write_text(render_nginx(upstreams, https_port, http_port, certs), encoding="utf-8")
        (directory / "nginx.conf").write_text(_nginx_main(directory, site), encoding="utf-8")
    elif kind == "caddy":
        (directory / "Caddyfile").write_text(
            render_caddy(upstreams, https_port, http_port, certs, directory), encoding="utf-8")
    else:
        raise ValueError(kind)


@contextmanager
def running_proxy(
    kind: str, directory: Path, upstreams: tuple[int, int], certs: Certificates, ca: Path,
    *, https_port: int | None = None,
) -> Iterator[RunningProxy]:
    """The shipped config of `kind`, rendered for this machine, checked, and running."""
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o755)
    https_port = https_port or free_port()
    http_port = free_port()
    write_config(kind, directory, upstreams, https_port, http_port, certs)
    checked = check_config(kind, directory)
    if checked.returncode != 0:
        raise AssertionError(f"{kind} refused the shipped config:\n{checked.stdout}\n"
                             f"{checked.stderr}")
    if kind == "nginx":
        command = [executable("nginx"), "-p", str(directory), "-c",
                   str(directory / "nginx.conf"), "-g", "daemon off;"]
    else:
        command = [executable("caddy"), "run", "--adapter", "caddyfile", "--config",
                   str(directory / "Caddyfile")]
    with (directory / "stdout.log").open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, env=_caddy_env(directory))
    proxy = RunningProxy(kind=kind, url=f"https://localhost:{https_port}", port=https_port,
                         http_port=http_port, directory=directory, process=process)
    try:
        _wait_until_answering(proxy, ca, needs_client_cert=certs.client_ca is not None)
        yield proxy
    finally:
        stop_process(process)
