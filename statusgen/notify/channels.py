"""The channels file of `statusgen notify`: where each update goes, read and checked like every site file.

The file may live outside the repository and names its secrets as `${NAME}`, read from the
environment: a value that came from a variable is never repeated in a message, only its name.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import Mapping
from urllib.parse import urlsplit

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from statusgen.catalog import diag
from statusgen.errors import Diagnostic, did_you_mean
from statusgen.loading.source import MAX_FILE_BYTES, decode
from statusgen.loading.yamlnodes import NodeReader, compose, is_null
from statusgen.model.site import Site

CHAT_TYPES = ("slack", "discord", "teams")
HTTP_TYPES = CHAT_TYPES + ("webhook",)
TYPES = HTTP_TYPES + ("email",)
COMMON_KEYS = ("id", "type", "language", "components")
KEYS_OF_TYPE = {
    **{kind: COMMON_KEYS + ("url",) for kind in CHAT_TYPES},
    "webhook": COMMON_KEYS + ("url", "secret"),
    "email": COMMON_KEYS + ("smtp", "from", "to"),
}
ALL_KEYS = tuple(dict.fromkeys(key for keys in KEYS_OF_TYPE.values() for key in keys))
SMTP_KEYS = ("host", "port", "starttls", "username", "password")
SECRET_PREFIX = "whsec_"
CHANNEL_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Smtp:
    """How an e-mail channel reaches its mail server."""

    host: str
    port: int
    starttls: bool
    username: str = field(default="", repr=False)
    password: str = field(default="", repr=False)


@dataclass(frozen=True)
class Channel:
    """One destination of the notifications: a chat, a webhook receiver or a mailing list."""

    id: str
    type: str
    language: str
    components: tuple[str, ...] = ()  # empty: every entry
    url: str = field(default="", repr=False)  # chat and webhook URLs often carry their token
    secret: bytes | None = field(default=None, repr=False)
    smtp: Smtp | None = None
    sender: str = ""
    recipients: tuple[str, ...] = ()

    def wants(self, touched: set[str]) -> bool:
        """Whether an entry touching these components is for this channel."""
        return not self.components or bool(touched.intersection(self.components))


def signing_key(secret: str) -> bytes | None:
    """The HMAC key of a webhook secret: `whsec_<base64>` is decoded, any other text is used as written."""
    if secret.startswith(SECRET_PREFIX):
        try:
            return base64.b64decode(secret[len(SECRET_PREFIX):], validate=True) or None
        except (binascii.Error, ValueError):
            return None
    return secret.encode("utf-8")


def load_channels(path: Path, site: Site, environ: Mapping[str, str] | None = None
                  ) -> tuple[list[Channel], list[Diagnostic]]:
    """The channels of the file at path, or the diagnostics that keep it from being used."""
    shown = path.as_posix()
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return [], [diag("file-too-large", shown, 1, "", f"file is {size / 1e6:.1f} MB; the limit is 2 MB")]
        raw = path.read_bytes()
    except OSError as exc:
        return [], [diag("not-a-file", shown, 1, "", f"cannot be read: {exc.strerror or exc}",
                         "check the path given to --channels")]
    source, problems = decode(raw, shown)
    if source is None:
        return [], problems
    # ${NAME} becomes a placeholder before parsing, so that it stands anywhere a plain word may, even in
    # {flow: mappings}, and a value is put in only once parsed: no variable can change the file's structure.
    nonce = secrets.token_hex(4)
    text = VARIABLE.sub(lambda m: f"sgvar-{nonce}-{m.group(1)}-", source.text)
    node, problems = compose(text, shown, 1)
    if problems:
        return [], problems
    reader = _ChannelReader(shown, site, os.environ if environ is None else environ, nonce)
    channels = reader.read(node)
    if reader.diagnostics:  # a file with an error sends nothing at all, not the channels that happen to be right
        return [], sorted(reader.diagnostics, key=lambda d: d.line)
    return channels, []


class _ChannelReader(NodeReader):
    def __init__(self, path: str, site: Site, environ: Mapping[str, str], nonce: str):
        super().__init__(path, 1, site.settings.languages)
        self.site = site
        self.environ = environ
        self.placeholder = re.compile(f"sgvar-{nonce}-([A-Za-z_][A-Za-z0-9_]*)-")
        self.from_variables: set[int] = set()  # id() of the nodes whose value came from the environment
        self.unresolved: set[int] = set()  # id() of those with a variable missing (already reported)

    def read(self, node: Node | None) -> list[Channel]:
        if node is None:
            self.report("empty-file", 1, "", "the file holds no channels", "list them under `channels:`")
            return []
        self._substitute(node)
        top = self.mapping(node, "", ("channels",), required=("channels",))
        items = self.sequence(top.get("channels"), "channels") if top else None
        channels: list[Channel] = []
        lines: dict[str, int] = {}
        for index, item in enumerate(items or ()):
            channel = self._channel(item, f"channels[{index}]")
            if channel is None:
                continue
            if channel.id in lines:
                self.report("duplicate-definition", item, f"channels[{index}].id",
                            f"'{channel.id}' is already defined on line {lines[channel.id]}",
                            "give each channel its own id: the state file records deliveries by it")
                continue
            lines[channel.id] = self.line(item)
            channels.append(channel)
        return channels

    # -- ${NAME} -------------------------------------------------------------
    def _substitute(self, root: Node) -> None:
        """Replace ${NAME} in every scalar by the variable's value; plain scalars are typed again
        (`port: ${SMTP_PORT}` is a number), and a missing or empty variable is reported by name."""
        resolver = yaml.resolver.Resolver()
        stack: list[tuple[Node, str]] = [(root, "")]
        seen: set[int] = set()
        while stack:
            node, field = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, SequenceNode):
                stack.extend((item, f"{field}[{n}]") for n, item in enumerate(node.value))
            elif isinstance(node, MappingNode):
                stack.extend((value, f"{field}.{key.value}".lstrip(".")) for key, value in node.value
                             if isinstance(key, ScalarNode))
            elif isinstance(node, ScalarNode) and "sgvar-" in node.value:
                node.value = self.placeholder.sub(lambda m: self._variable(m.group(1), node, field), node.value)
                self.from_variables.add(id(node))
                if node.style is None:
                    node.tag = resolver.resolve(ScalarNode, node.value, (True, False))

    def _variable(self, name: str, node: Node, field: str) -> str:
        value = self.environ.get(name, "")
        if not value:
            state = "is not set" if name not in self.environ else "is empty"
            self.unresolved.add(id(node))
            self.report("missing-variable", node, field, f"the environment variable {name} {state}",
                        "set it in the job's environment, from a CI secret or variable, before running notify")
        return value

    # -- one channel -----------------------------------------------------------
    def _channel(self, node: Node, field: str) -> Channel | None:
        before = len(self.diagnostics)
        keys = self.mapping(node, field, ALL_KEYS, required=("id", "type"))
        if keys is None:
            return None
        cid = self.scalar(keys.get("id"), f"{field}.id")
        if cid is not None and not CHANNEL_ID.match(cid):
            self.report("unsafe-id", keys["id"], f"{field}.id", f"'{cid}' is not a channel id",
                        "use lowercase letters, digits, '-' and '_', at most 64 characters")
        kind = self.choice(keys.get("type"), f"{field}.type", TYPES, "invalid-value", "channel type")
        if kind is None:
            return None
        for key, value in keys.items():
            if key not in KEYS_OF_TYPE[kind]:
                others = ", ".join(k for k in KEYS_OF_TYPE[kind] if k not in COMMON_KEYS)
                self.report("unknown-key", value, f"{field}.{key}", f"a {kind} channel has no '{key}'",
                            f"a {kind} channel takes {others}")
        required = ("url",) if kind in HTTP_TYPES else ("smtp", "from", "to")
        for key in required:
            if is_null(keys.get(key)):
                self.report("missing-field", node, f"{field}.{key}", f"a {kind} channel needs '{key}'")
        language = self._language(keys.get("language"), f"{field}.language")
        components = self._components(keys.get("components"), f"{field}.components")
        url = self._url(keys.get("url"), f"{field}.url") if kind in HTTP_TYPES else ""
        secret = self._secret(keys.get("secret"), f"{field}.secret") if kind == "webhook" else None
        smtp = sender = None
        recipients: tuple[str, ...] = ()
        if kind == "email":
            smtp = self._smtp(keys.get("smtp"), f"{field}.smtp")
            sender = self._address(keys.get("from"), f"{field}.from")
            recipients = self._recipients(keys.get("to"), f"{field}.to")
        if len(self.diagnostics) > before or cid is None:
            return None
        return Channel(id=cid, type=kind, language=language, components=components, url=url or "",
                       secret=secret, smtp=smtp, sender=sender or "", recipients=recipients)

    def _language(self, node: Node | None, field: str) -> str:
        languages = self.site.settings.languages
        lang = self.scalar(node, field)
        if lang is None:
            return languages[0]
        if lang not in languages:
            self.report("unknown-language", node, field,
                        f"'{lang}' is not a language of this site (languages: {', '.join(languages)})",
                        did_you_mean(lang, languages))
        return lang

    def _components(self, node: Node | None, field: str) -> tuple[str, ...]:
        if isinstance(node, ScalarNode) and not is_null(node):
            items = [node]  # one component written without brackets
        else:
            items = self.sequence(node, field) or []
        found = []
        for index, item in enumerate(items):
            where = f"{field}[{index}]"
            value = self.choice(item, where, self.site.components, "unknown-component", "component")
            if value is not None:
                found.append(value)
        return tuple(dict.fromkeys(found))

    def _url(self, node: Node | None, field: str) -> str | None:
        url = self.scalar(node, field)
        if url is None or id(node) in self.unresolved:
            return None
        problem = url_problem(url)
        if problem:
            shown = "the URL" if id(node) in self.from_variables else f"'{url}'"
            self.report("invalid-value", node, field, f"{shown} {problem}",
                        "write the full address, e.g. https://hooks.example.com/...")
        return url

    def _secret(self, node: Node | None, field: str) -> bytes | None:
        secret = self.scalar(node, field)
        if secret is None:
            return None
        key = signing_key(secret)
        if key is None:
            self.report("invalid-value", node, field, "a secret starting with 'whsec_' must go on in base64",
                        "paste the secret exactly as the receiver gave it")
        return key

    def _smtp(self, node: Node | None, field: str) -> Smtp | None:
        keys = self.mapping(node, field, SMTP_KEYS, required=("host",))
        if keys is None:
            return None
        host = self.scalar(keys.get("host"), f"{field}.host")
        starttls = self.boolean(keys.get("starttls"), f"{field}.starttls")
        starttls = True if starttls is None else starttls
        port = self.integer(keys.get("port"), f"{field}.port")
        if port is not None and port > 65535:
            self.report("invalid-value", keys["port"], f"{field}.port", f"{port} is not a port",
                        "a port is a number from 1 to 65535")
        username = self.scalar(keys.get("username"), f"{field}.username") or ""
        password = self.scalar(keys.get("password"), f"{field}.password") or ""
        if bool(username) != bool(password):
            missing = "password" if username else "username"
            self.report("missing-field", node, f"{field}.{missing}", "username and password go together",
                        f"add {missing}, or remove both to send without logging in")
        if not host:
            return None
        return Smtp(host=host, port=port or (587 if starttls else 25), starttls=starttls,
                    username=username, password=password)

    def _address(self, node: Node | None, field: str) -> str | None:
        value = self.scalar(node, field)
        if value is None:
            return None
        _, address = parseaddr(value)
        if "@" not in address or " " in address:
            self.report("invalid-value", node, field, f"'{value}' is not an e-mail address",
                        "write it as status@example.com or \"Status\" <status@example.com>")
            return None
        return value

    def _recipients(self, node: Node | None, field: str) -> tuple[str, ...]:
        items = [node] if isinstance(node, ScalarNode) and not is_null(node) else self.sequence(node, field) or []
        found = [self._address(item, f"{field}[{index}]") for index, item in enumerate(items)]
        if not is_null(node) and not items:
            self.report("missing-field", node, field, "no recipient", "list at least one address")
        return tuple(address for address in found if address)


def url_problem(url: str) -> str:
    """Why url cannot receive a POST from notify ('' when it can): any http(s) URL with a host."""
    if not re.match(r"^https?://", url, re.IGNORECASE):
        return "is not an http:// or https:// URL"
    if re.search(r"[^\x21-\x7e]", url):
        return "contains spaces, control or non-ASCII characters (percent-encode them)"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port out of range
    except ValueError:
        return "is not a well-formed URL"
    if not parts.hostname:
        return "has no host name"
    return ""
