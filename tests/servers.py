"""Real servers on loopback for the capture tests: Dovecot (IMAP over SSL) and Radicale (CalDAV).

Each is started with a throwaway configuration under a temporary folder and stopped after the
tests. A server that is not installed skips its tests locally but fails them when ``CI`` is set:
CI must prove capture works against the real thing, never pass by skipping it.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


def missing(what: str) -> None:
    """Skip locally, fail in CI."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required in CI")
    pytest.skip(f"{what} is not installed")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode}: {_tail(log)}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail(f"server did not listen on {port}: {_tail(log)}")


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:] if log.exists() else "(no log)"


def self_signed_cert(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, made with openssl for this run only."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@dataclass(frozen=True)
class ImapServer:
    port: int
    user: str
    password: str
    cafile: Path

    @property
    def url(self) -> str:
        return f"imaps://{self.user}@127.0.0.1:{self.port}/INBOX"

    def context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cafile))


_DOVECOT_CONF = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
auth_mechanisms = plain
auth_failure_delay = 0
default_login_user = {login_user}
default_internal_user = {internal_user}
first_valid_uid = {uid}
mail_location = maildir:{mail}/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={mail}/%u
}}
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
service auth {{
  user = {auth_user}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""


def start_dovecot(root: Path) -> Iterator[ImapServer]:
    """A Dovecot with one user and an empty Maildir; yields how to reach it.

    Run as root (CI), Dovecot refuses to deliver mail as uid 0, so the mail lives in a folder of
    its own owned by the ``dovecot`` user; run as anyone else, every process is that user.
    """
    if not Path(DOVECOT).exists():
        missing("dovecot (apt-get install dovecot-imapd)")
    root.mkdir(parents=True, exist_ok=True)
    for sub in ("run", "state"):
        (root / sub).mkdir()
    self_signed_cert(root)
    user, password = "rep@ours.example", "s3cret-pass"
    (root / "passwd").write_text(f"{user}:{{PLAIN}}{password}\n")
    mail = Path(tempfile.mkdtemp(prefix="salestrack-imap-"))
    me = pwd.getpwuid(os.getuid()).pw_name
    if os.getuid() == 0:
        owner = pwd.getpwnam("dovecot")
        os.chown(mail, owner.pw_uid, owner.pw_gid)
        uid, gid, login, internal = owner.pw_uid, owner.pw_gid, "dovenull", "dovecot"
    else:
        uid, gid, login, internal = os.getuid(), os.getgid(), me, me
    port = free_port()
    conf = root / "dovecot.conf"
    conf.write_text(
        _DOVECOT_CONF.format(
            root=root, mail=mail, uid=uid, gid=gid, port=port, login_user=login,
            internal_user=internal, auth_user=me,
        )
    )  # fmt: skip
    log = root / "dovecot.log"
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=sys.stderr
    )
    try:
        wait_for_port(port, process, log)
        yield ImapServer(port, user, password, root / "cert.pem")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(mail, ignore_errors=True)


@dataclass(frozen=True)
class CalDavServer:
    port: int
    user: str
    password: str

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}/"


def start_radicale(root: Path) -> Iterator[CalDavServer]:
    """A Radicale (CalDAV) with one htpasswd user and file storage under ``root``."""
    try:
        import radicale  # noqa: F401
    except ImportError:
        missing("radicale (pip install radicale)")
    root.mkdir(parents=True, exist_ok=True)
    user, password = "rep", "s3cret-pass"
    (root / "users").write_text(f"{user}:{password}\n")
    port = free_port()
    log = root / "radicale.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "radicale", "--server-hosts", f"127.0.0.1:{port}",
                "--storage-filesystem-folder", str(root / "collections"),
                "--auth-type", "htpasswd", "--auth-htpasswd-filename", str(root / "users"),
                "--auth-htpasswd-encryption", "plain", "--auth-delay", "0",
                "--logging-level", "warning",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_for_port(port, process, log)
        yield CalDavServer(port, user, password)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
