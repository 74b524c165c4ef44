"""A throwaway Dovecot IMAP server on 127.0.0.1 for tests that need a real mailbox."""

from __future__ import annotations

import contextlib
import email
import grp
import imaplib
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

HOST = "127.0.0.1"
START_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0
# Unix sockets live in base_dir and their paths must fit in sun_path (108 bytes); the longest
# socket name Dovecot 2.3 creates there is about 25 characters.
MAX_BASE_DIR_LEN = 80
# Mail processes must not run as root, so a root test run hands the mailbox to this user.
UNPRIVILEGED_USER = "nobody"
# imap-login refuses to run as root; Debian's dovecot-core creates this user for it.
LOGIN_USERS = ("dovenull", UNPRIVILEGED_USER)
# Services whose default config chroots them, which a non-root master cannot do.
CHROOTED_SERVICES = ("imap-login", "anvil", "ipc")
# \Recent belongs to whichever session saw the message first, so it would make flags() flaky.
IGNORED_FLAGS = {"\\Recent"}

CONFIG_TEMPLATE = """\
# Written by tests/mailbox/imap_server.py for one test session; not a production config.
protocols = imap
listen = {host}
base_dir = {base_dir}
state_dir = {state_dir}
instance_name = {instance_name}
log_path = {log_path}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = {mail_uid}
first_valid_gid = {mail_gid}
{chroot_setting}
mail_location = maildir:~/Maildir

passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {passwd_file}
}}

userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={home}
}}

{unprivileged_services}
service imap-login {{
  inet_listener imap {{
    port = {port}
  }}
  # The built-in imaps listener would try to bind 993, which a test run has no use for.
  inet_listener imaps {{
    port = 0
  }}
}}
"""


def dovecot_binary() -> str | None:
    """Return the path of the dovecot binary, or None if Dovecot is not installed."""
    found = shutil.which("dovecot")
    if found:
        return found
    # /usr/sbin is often missing from a non-root PATH.
    if os.access("/usr/sbin/dovecot", os.X_OK):
        return "/usr/sbin/dovecot"
    return None


def _free_port() -> int:
    """Return a TCP port on HOST that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _quote(folder: str) -> str:
    """Quote a mailbox name for an IMAP command (imaplib sends arguments verbatim)."""
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(typ: str, data: list, what: str) -> None:
    """Raise if an imaplib command did not answer OK."""
    if typ != "OK":
        raise RuntimeError(f"IMAP {what} failed: {typ} {data!r}")


def _tail(path: Path, lines: int = 30) -> str:
    """Return the last lines of a log file, or a note that it is missing."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"({path} not written)"
    return "\n".join(text.splitlines()[-lines:]) or f"({path} is empty)"


class ImapServer:
    """A running Dovecot instance with one user and a Maildir under its temp directory."""

    host: str
    port: int
    user: str
    password: str

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        port: int,
        user: str,
        password: str,
        log_path: Path,
        cleanup_dirs: list[Path],
    ) -> None:
        self.host = HOST
        self.port = port
        self.user = user
        self.password = password
        self.log_path = log_path
        self._process = process
        self._cleanup_dirs = cleanup_dirs

    def log_tail(self, lines: int = 30) -> str:
        """Return the end of the Dovecot log, for error messages."""
        return _tail(self.log_path, lines)

    @contextlib.contextmanager
    def _session(self) -> Iterator[imaplib.IMAP4]:
        """Yield a logged-in imaplib client and always release its socket."""
        client = imaplib.IMAP4(self.host, self.port, timeout=10)
        try:
            client.login(self.user, self.password)
            yield client
        finally:
            try:
                client.logout()
            except (imaplib.IMAP4.error, OSError):
                # logout() skips closing the socket when the server is already gone.
                with contextlib.suppress(OSError):
                    client.shutdown()

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        """Deliver one RFC 5322 message into the folder through the server, creating it."""
        mailbox = _quote(folder)
        with self._session() as client:
            typ, data = client.append(mailbox, None, None, raw)
            if typ == "NO" and b"[TRYCREATE]" in (data[0] or b""):
                _check(*client.create(mailbox), f"CREATE {mailbox}")
                typ, data = client.append(mailbox, None, None, raw)
            _check(typ, data, f"APPEND to {mailbox}")

    def clear(self, folder: str = "INBOX") -> None:
        """Delete every message in the folder."""
        with self._session() as client:
            typ, data = client.select(_quote(folder))
            _check(typ, data, f"SELECT {folder}")
            if int(data[0] or 0):
                _check(*client.store("1:*", "+FLAGS.SILENT", "(\\Deleted)"), "STORE \\Deleted")
                _check(*client.expunge(), "EXPUNGE")
            _check(*client.close(), "CLOSE")

    def flags(self, folder: str = "INBOX") -> dict[str, set[str]]:
        """Map each message's Message-ID header to its IMAP flags, leaving flags untouched."""
        with self._session() as client:
            # EXAMINE, not SELECT: looking must not change what the code under test sees.
            typ, data = client.select(_quote(folder), readonly=True)
            _check(typ, data, f"EXAMINE {folder}")
            if not int(data[0] or 0):
                return {}
            # Two fetches so neither parse depends on the order the server lists items in.
            typ, flag_lines = client.fetch("1:*", "(FLAGS)")
            _check(typ, flag_lines, "FETCH FLAGS")
            typ, header_parts = client.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
            _check(typ, header_parts, "FETCH Message-ID")

        flags_by_seq: dict[int, set[str]] = {}
        for line in flag_lines:
            if not isinstance(line, bytes):
                continue
            seq = int(line.split(b" ", 1)[0])
            found = {flag.decode() for flag in imaplib.ParseFlags(line)}
            flags_by_seq[seq] = found - IGNORED_FLAGS

        result: dict[str, set[str]] = {}
        for part in header_parts:
            if not isinstance(part, tuple):
                continue
            seq = int(part[0].split(b" ", 1)[0])
            message_id = (email.message_from_bytes(part[1]).get("Message-ID") or "").strip()
            if not message_id:
                raise ValueError(f"message {seq} in {folder} has no Message-ID header")
            if message_id in result:
                raise ValueError(f"{message_id} occurs more than once in {folder}")
            result[message_id] = flags_by_seq.get(seq, set())
        return result

    def stop(self) -> None:
        """Stop Dovecot, wait for it to exit and remove any directory made outside tmp_dir."""
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        for path in self._cleanup_dirs:
            shutil.rmtree(path, ignore_errors=True)


def _existing_user(names: tuple[str, ...]) -> pwd.struct_passwd:
    """Return the first of the named system users that exists."""
    for name in names:
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise RuntimeError(f"none of the users {', '.join(names)} exists; Dovecot needs one")


def _write_config(tmp_dir: Path, port: int, user: str, password: str) -> tuple[Path, list[Path]]:
    """Write dovecot.conf and its passwd-file into tmp_dir; return the config and extra dirs."""
    cleanup_dirs: list[Path] = []
    base_dir = tmp_dir / "run"
    if len(str(base_dir)) > MAX_BASE_DIR_LEN:
        # A deep tmp_dir would make Dovecot's socket paths too long to bind.
        base_dir = Path(tempfile.mkdtemp(prefix="dovecot-"))
        cleanup_dirs.append(base_dir)
    state_dir = tmp_dir / "state"
    mail_root = tmp_dir / "mail"
    for path in (base_dir, state_dir, mail_root):
        path.mkdir(parents=True, exist_ok=True)

    passwd_file = tmp_dir / "users"
    passwd_file.write_text(f"{user}:{{PLAIN}}{password}::::::\n")
    passwd_file.chmod(0o600)

    if os.geteuid() == 0:
        # Dovecot refuses mail access as uid 0 ("userdb returned 0 as uid", "Mail access not
        # allowed for root"), so the mailbox belongs to an unprivileged user. That user cannot
        # reach tmp_dir through pytest's 0700 parents, so the mail process chroots into
        # mail_root first (done while still root); "/./" in home marks the chroot boundary.
        account = _existing_user((UNPRIVILEGED_USER,))
        mail_uid, mail_gid = account.pw_uid, account.pw_gid
        internal_user = internal_group = "root"
        login_user = _existing_user(LOGIN_USERS).pw_name
        chroot_setting = f"valid_chroot_dirs = {mail_root}"
        unprivileged_services = ""
        home = f"{mail_root}/./home"
        os.chown(mail_root, mail_uid, mail_gid)
        (mail_root / "home").mkdir(exist_ok=True)
        os.chown(mail_root / "home", mail_uid, mail_gid)
    else:
        # Run as an ordinary user, Dovecot runs every process as that user.
        account = pwd.getpwuid(os.geteuid())
        mail_uid, mail_gid = os.geteuid(), os.getegid()
        internal_user = login_user = account.pw_name
        # Dovecot wants a group name here; a number is looked up as a name and fails.
        internal_group = grp.getgrgid(mail_gid).gr_name
        chroot_setting = ""
        # Only root may chroot, and these services chroot by default.
        unprivileged_services = "".join(
            f"service {name} {{\n  chroot =\n}}\n" for name in CHROOTED_SERVICES
        )
        home = str(mail_root / "home")
        (mail_root / "home").mkdir(exist_ok=True)

    config = tmp_dir / "dovecot.conf"
    config.write_text(
        CONFIG_TEMPLATE.format(
            host=HOST,
            base_dir=base_dir,
            state_dir=state_dir,
            instance_name=f"test-{port}",
            log_path=tmp_dir / "dovecot.log",
            internal_user=internal_user,
            internal_group=internal_group,
            login_user=login_user,
            mail_uid=mail_uid,
            mail_gid=mail_gid,
            chroot_setting=chroot_setting,
            unprivileged_services=unprivileged_services,
            passwd_file=passwd_file,
            home=home,
            port=port,
        )
    )
    return config, cleanup_dirs


def _ready(server: ImapServer) -> bool:
    """Return True once a login and SELECT INBOX work."""
    try:
        with server._session() as client:
            # Dovecot answers LOGIN with OK even when the mail process then fails to start,
            # so only a working SELECT proves the server is usable.
            typ, _ = client.select("INBOX")
            return typ == "OK"
    except (OSError, imaplib.IMAP4.error):
        return False


def start_imap_server(tmp_dir: Path) -> ImapServer:
    """Start Dovecot on a free loopback port with its config and Maildir in tmp_dir."""
    binary = dovecot_binary()
    if binary is None:
        raise RuntimeError("Dovecot is not installed (apt-get install dovecot-imapd)")
    tmp_dir.mkdir(parents=True, exist_ok=True)
    user, password = "intake", secrets.token_urlsafe(12)
    port = _free_port()
    config, cleanup_dirs = _write_config(tmp_dir, port, user, password)
    log_path = tmp_dir / "dovecot.log"
    stderr_path = tmp_dir / "dovecot.stderr"

    # Output goes to a file, not a pipe, so nothing is left open for ResourceWarnings.
    with stderr_path.open("wb") as output:
        process = subprocess.Popen(
            [binary, "-F", "-c", str(config)],
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = ImapServer(process, port, user, password, log_path, cleanup_dirs)

    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if _ready(server):
            return server
        time.sleep(0.1)

    exit_code = process.poll()
    server.stop()
    state = "timed out" if exit_code is None else f"exited with code {exit_code}"
    raise RuntimeError(
        f"Dovecot on {HOST}:{port} {state} before accepting an IMAP login "
        f"(config {config}).\n--- {stderr_path} ---\n{_tail(stderr_path)}\n"
        f"--- {log_path} ---\n{_tail(log_path)}"
    )
