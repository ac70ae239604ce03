"""Real servers for alert tests, in the test's own event loop: an SMTP server (aiosmtpd) that
requires STARTTLS with a self-signed certificate, and an HTTP receiver for the webhook that
checks the signature as a real receiver would."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import hmac
import ipaddress
import json
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiohttp import web
from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SmtpSession
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from bot.alert_channels import sign

MAX_AGE = 300  # seconds: older timestamps are refused


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path = directory / "smtp.pem"
    key_path = directory / "smtp.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage
    raw: str
    tls: bool

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        part = self.message.get_body()
        assert part is not None
        return str(part.get_content())

    @property
    def decoded(self) -> str:
        """Every header and the body, decoded: what a reader sees."""
        headers = "\n".join(f"{name}: {value}" for name, value in self.message.items())
        return f"{headers}\n\n{self.body}\n{self.raw}"


@dataclass
class MailHandler:
    messages: list[Received] = field(default_factory=list)
    # Called (and awaited) when a message arrived, before the server answers that it was
    # accepted.
    on_message: Callable[[Received], Awaitable[None] | None] | None = None
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    hold: asyncio.Event | None = None  # while set here, the server waits before it answers

    async def handle_DATA(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> str:
        content = envelope.content
        raw = content.decode() if isinstance(content, bytes) else str(content)
        received = Received(
            sender=str(envelope.mail_from),
            recipients=list(envelope.rcpt_tos),
            message=email.message_from_string(raw, policy=email.policy.default),
            raw=raw,
            tls=session.ssl is not None,
        )
        self.messages.append(received)
        self.arrived.set()
        if self.on_message is not None:
            result = self.on_message(received)
            if result is not None:
                await result
        if self.hold is not None:
            await self.hold.wait()
        return "250 Message accepted for delivery"

    async def wait_for(self, count: int) -> None:
        """Until `count` messages arrived (the server runs in this event loop)."""
        while len(self.messages) < count:
            self.arrived.clear()
            await self.arrived.wait()

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.recipients]


@dataclass
class SmtpServer:
    handler: MailHandler
    port: int
    ca_file: Path
    server: asyncio.Server

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    async def close(self) -> None:
        self.server.close()
        await self.server.wait_closed()


async def start_smtp(directory: Path) -> SmtpServer:
    cert, key = self_signed(directory)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler = MailHandler()
    server = await asyncio.get_running_loop().create_server(
        lambda: SMTP(handler, tls_context=context, require_starttls=True, hostname="localhost"),
        "127.0.0.1",
        0,
    )
    port = int(server.sockets[0].getsockname()[1])
    return SmtpServer(handler=handler, port=port, ca_file=cert, server=server)


@dataclass
class WebhookReceiver:
    """Accepts a POST only with a fresh timestamp and a valid signature; 401 otherwise."""

    secret: str
    accepted: list[dict[str, Any]] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    refused: int = 0
    now: Callable[[], float] = time.time
    port: int = 0
    runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/alerts"

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        timestamp = request.headers.get("X-Kerro-Timestamp", "")
        signature = request.headers.get("X-Kerro-Signature", "")
        fresh = timestamp.isdigit() and abs(self.now() - int(timestamp)) <= MAX_AGE
        if not fresh or not hmac.compare_digest(signature, sign(self.secret, timestamp, body)):
            self.refused += 1
            return web.Response(status=401)
        self.bodies.append(body)
        self.accepted.append(json.loads(body))
        return web.Response(status=204)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/alerts", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self.runner.addresses[0][1])

    async def close(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
