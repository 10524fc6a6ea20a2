"""Shared low pieces every layer above storage may use: China time, the outbox message contract.

Imports nothing of ours but `storage.models`; never anything above it."""
