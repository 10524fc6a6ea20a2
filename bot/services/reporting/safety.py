"""Danger in what a deputy types (a fire, a gas leak, someone drowning or unconscious): found
by the router's emergency signals for any text, in a report or not, so the transport can tell
the deputy to call 110/119/120 before anything else."""

from __future__ import annotations

from bot.core.text_input import is_blank
from bot.services.reporting.drafts import MAX_TEXT
from bot.services.reporting.filing import Classifier
from classifiers import Emergency


class DangerCheck:
    def __init__(self, classifier: Classifier) -> None:
        self._classifier = classifier

    def emergency(self, text: str | None) -> Emergency | None:
        if not text or text.startswith("/") or is_blank(text):
            return None
        return self._classifier.classify(text[:MAX_TEXT]).emergency
