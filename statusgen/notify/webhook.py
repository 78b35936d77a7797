"""Webhook channels: Statuspage's subscriber webhook bodies, signed per the Standard Webhooks specification.

The incident, page and component objects are the JSON API's (statusgen/render/api.py), so a
webhook and api/v2/*.json never disagree. The incident is shown as it stood after the update
being delivered: a late delivery of update 2 does not carry update 3 as its newest.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import replace
from typing import Any

from statusgen.model.entry import Entry, Update
from statusgen.model.state import entry_state
from statusgen.notify.channels import Channel
from statusgen.notify.notices import update_key
from statusgen.render.api import StatuspageApi
from statusgen.render.state import RenderState
from statusgen.render.urls import Urls, help_page


def webhook_id(channel: Channel, entry_id: str, key: str) -> str:
    """The Standard Webhooks message id: the same for every attempt, in this run and the next."""
    digest = hashlib.sha256(f"{channel.id}\n{entry_id}\n{key}".encode("utf-8")).hexdigest()
    return f"msg_{digest[:32]}"


def signature(secret: bytes, message_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`: the webhook-signature header."""
    signed = f"{message_id}.{timestamp}.".encode("utf-8") + body
    return "v1," + base64.b64encode(hmac.new(secret, signed, hashlib.sha256).digest()).decode("ascii")


def webhook_headers(secret: bytes | None, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    headers = {"webhook-id": message_id, "webhook-timestamp": str(timestamp)}
    if secret:
        headers["webhook-signature"] = signature(secret, message_id, timestamp, body)
    return headers


class StatuspageWebhooks:
    """The bodies Statuspage posts to a subscriber's webhook, in one language."""

    def __init__(self, state: RenderState, lang: str):
        self.state = state
        self.lang = lang
        settings = state.site.settings
        urls = Urls(settings.base_url, lang, settings.default_language)
        self.meta = {
            # statusgen keeps no subscriber list: leaving is asked of the page's team, where problems are reported.
            "unsubscribe": settings.report_url or urls.absolute(),
            "documentation": urls.absolute(help_page()),
        }

    def _api_as_of(self, entry: Entry, update: Update) -> tuple[StatuspageApi, Entry]:
        """The API, with the entry as it stood after update (its later updates left out)."""
        upto = replace(entry, updates=entry.updates[: update.index + 1],
                       source_hash=f"{entry.source_hash}:{update.index}")
        facts = self.state.facts
        facts = replace(facts, states={**facts.states, entry.id: entry_state(upto, facts.now)})
        return StatuspageApi(replace(self.state, facts=facts), self.lang), upto

    def _page(self, api: StatuspageApi) -> dict[str, Any]:
        status = api.status()
        return {"id": api.page_id, "status_indicator": status["indicator"],
                "status_description": status["description"]}

    def bodies(self, entry: Entry, update: Update, changes: dict[str, tuple[str, str]]
               ) -> list[tuple[str | None, dict[str, Any]]]:
        """The incident update's body, then one component_update body per component it changed:
        (component id or None, body)."""
        api, upto = self._api_as_of(entry, update)
        page = self._page(api)
        bodies: list[tuple[str | None, dict[str, Any]]] = [
            (None, {"meta": self.meta, "page": page, "incident": api.incident(upto)})]
        at = api.ts(update.at)
        for cid, (old, new) in changes.items():
            component = api.by_id.get(cid)
            if component is None:
                continue
            bodies.append((cid, {
                "meta": self.meta,
                "page": page,
                "component_update": {
                    "created_at": at,
                    "new_status": new,
                    "old_status": old,
                    "id": f"{entry.id}-{update_key(update)}-{cid}",
                    "component_id": cid,
                },
                "component": {**component, "status": new, "updated_at": at},
            }))
        return bodies
