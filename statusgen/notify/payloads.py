"""Each channel's own message for a Notice: Slack, Discord and Teams chat messages, and e-mail.

The Statuspage-shaped webhook body is in webhook.py. Chat messages carry the message as plain
text: a status update reads the same in every client, and no Markdown of ours is misread as the
chat's own markup.
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime

from statusgen import __version__
from statusgen.notify.channels import Channel
from statusgen.notify.notices import Notice

USER_AGENT = f"statusgen/{__version__} (notify)"
# Colours of the state a notification reports (Discord embeds, the e-mail's status line).
STATE_COLOURS = {
    "operational": 0x2E7D32,
    "under_maintenance": 0x1565C0,
    "degraded_performance": 0xF9A825,
    "partial_outage": 0xEF6C00,
    "major_outage": 0xC62828,
}
TEAMS_COLOURS = {"operational": "Good", "under_maintenance": "Accent", "degraded_performance": "Warning",
                 "partial_outage": "Warning", "major_outage": "Attention"}
# What the receiving services accept at most, in characters.
SLACK_HEADER, SLACK_SECTION, SLACK_TEXT = 150, 3000, 3000
DISCORD_TITLE, DISCORD_DESCRIPTION, DISCORD_FIELDS = 256, 4096, 25


@dataclass(frozen=True)
class Message:
    """One request or e-mail that delivers (part of) a Notice to a channel."""

    channel: Channel
    entry_id: str
    key: str  # the update's key, or update key~component for a webhook's component change
    body: bytes = b""  # HTTP: the JSON body
    webhook_id: str = ""  # HTTP: the Standard Webhooks id, the same on every retry
    email: EmailMessage | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        """What logs and summaries call it: the entry and update, never an address."""
        return f"{self.entry_id}#{self.key}"


def json_body(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=None, separators=(",", ":")).encode("utf-8")


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _components_line(notice: Notice) -> str:
    parts = [f"{a.name}{notice.words['colon']}{a.state_label}" for a in notice.affected]
    return ", ".join(parts)


# -- Slack ---------------------------------------------------------------------
def _slack_escape(text: str) -> str:
    """Slack's mrkdwn gives &, < and > a meaning of their own."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack(notice: Notice) -> dict:
    """An incoming-webhook message: `text` for notifications and old clients, `blocks` for the message."""
    words = notice.words
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": cut(notice.title, SLACK_HEADER), "emoji": True}},
        {"type": "section", "text": {"type": "mrkdwn", "text": cut(
            f"{notice.status_icon} *{_slack_escape(notice.status_label)}* · {_slack_escape(notice.when)}\n"
            f"{_slack_escape(notice.message_text)}", SLACK_SECTION)}},
    ]
    if notice.affected:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": cut(
            f"*{_slack_escape(words['affected'])}*{_slack_escape(words['colon'])}"
            f"{_slack_escape(_components_line(notice))}", SLACK_TEXT)}]})
    blocks.append({"type": "actions", "elements": [{
        "type": "button", "text": {"type": "plain_text", "text": words["notify_read"]}, "url": notice.link}]})
    text = cut(_slack_escape(f"{notice.headline}: {notice.message_text}"), SLACK_TEXT - len(notice.link) - 3)
    return {"text": f"{text} <{notice.link}>", "blocks": blocks,  # the link survives a long message
            "unfurl_links": False, "unfurl_media": False}


# -- Discord -------------------------------------------------------------------
def discord(notice: Notice) -> dict:
    """A webhook message with one embed, coloured by the state it reports; it mentions no one."""
    embed = {
        "title": cut(notice.headline, DISCORD_TITLE),
        "url": notice.link,
        "description": cut(notice.message_text, DISCORD_DESCRIPTION),
        "color": STATE_COLOURS[notice.worst_state],
        "timestamp": notice.update.at.isoformat(),
        "footer": {"text": cut(notice.site_title, 2048)},
        "fields": [{"name": cut(a.name, 256), "value": cut(a.state_label, 1024), "inline": True}
                   for a in notice.affected[:DISCORD_FIELDS]],
    }
    # A message quoting "@everyone" must not ping a whole server.
    return {"embeds": [embed], "allowed_mentions": {"parse": []}}


# -- Microsoft Teams -----------------------------------------------------------
def teams(notice: Notice) -> dict:
    """An Adaptive Card message, as Teams workflow ("Post to a channel when a webhook request is
    received") webhooks accept it."""
    body: list[dict] = [
        {"type": "TextBlock", "text": notice.title, "weight": "Bolder", "size": "Medium", "wrap": True},
        {"type": "TextBlock", "text": f"{notice.status_icon} {notice.status_label} · {notice.when}",
         "color": TEAMS_COLOURS[notice.worst_state], "weight": "Bolder", "spacing": "None", "wrap": True},
        {"type": "TextBlock", "text": notice.message_text, "wrap": True},
    ]
    if notice.affected:
        body.append({"type": "FactSet", "facts": [{"title": a.name, "value": a.state_label}
                                                  for a in notice.affected]})
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "lang": notice.lang,
        "body": body,
        "actions": [{"type": "Action.OpenUrl", "title": notice.words["notify_read"], "url": notice.link}],
    }
    return {"type": "message", "attachments": [
        {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}]}


CHAT_PAYLOADS = {"slack": slack, "discord": discord, "teams": teams}


# -- e-mail --------------------------------------------------------------------
def message_id(notice: Notice, channel: Channel, host: str, key: str | None = None) -> str:
    """A Message-ID that names the delivery, so that a resent e-mail is the same message.

    The entry and channel enter through a digest: a header of more than 78 characters without a
    space would be folded into an encoded word, which mail clients no longer match when threading.
    """
    digest = hashlib.sha256(f"{notice.entry.id}\n{channel.id}".encode("utf-8")).hexdigest()[:16]
    return f"<{key or notice.key}.{digest}@{host}>"


def email(notice: Notice, channel: Channel, host: str) -> EmailMessage:
    """Text and HTML parts; every update of an entry threads under its first one."""
    words = notice.words
    mail = EmailMessage()
    mail["Subject"] = " ".join(f"[{notice.site_title}] {notice.headline}".split())  # a header is one line
    mail["From"] = channel.sender
    mail["To"] = ", ".join(channel.recipients)
    mail["Date"] = format_datetime(notice.update.at)
    mail["Message-ID"] = message_id(notice, channel, host)
    if notice.update.index:
        first = message_id(notice, channel, host, "update-1")
        mail["In-Reply-To"] = first
        mail["References"] = first
    mail["Auto-Submitted"] = "auto-generated"
    affected = "".join(f"- {a.name}{words['colon']}{a.state_label}\n" for a in notice.affected)
    text = (f"{notice.kind_label}: {notice.title}\n{notice.status_label} · {notice.when}\n\n"
            f"{notice.message_text}\n\n"
            + (f"{words['affected']}\n{affected}\n" if affected else "")
            + f"{words['notify_read']}: {notice.link}\n")
    mail.set_content(text)
    mail.add_alternative(_email_html(notice), subtype="html")
    mail["Content-Language"] = notice.lang  # after the parts: making them moves Content-* headers into the first
    return mail


def _email_html(notice: Notice) -> str:
    words, esc = notice.words, html.escape
    colour = f"#{STATE_COLOURS[notice.worst_state]:06x}"
    items = "".join(f"<li>{esc(a.name)}{esc(words['colon'])}{esc(a.state_label)}</li>" for a in notice.affected)
    affected = f"<h3>{esc(words['affected'])}</h3><ul>{items}</ul>" if items else ""
    return (f'<!DOCTYPE html><html lang="{esc(notice.lang)}"><head><meta charset="utf-8">'
            f"<title>{esc(notice.headline)}</title></head><body>"
            f"<p>{esc(notice.kind_label)}</p><h2>{esc(notice.title)}</h2>"
            f'<p style="color:{colour};font-weight:bold">{esc(notice.status_icon)} {esc(notice.status_label)}'
            f" · {esc(notice.when)}</p>{notice.message_html}{affected}"
            f'<p><a href="{esc(notice.link)}">{esc(words["notify_read"])}</a></p></body></html>\n')
