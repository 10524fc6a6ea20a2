"""The end-to-end fixtures (emulator, its client, the classifier) for the operations tests."""

from tests.e2e.conftest import classifier, client, emulator

__all__ = ["classifier", "client", "emulator"]
