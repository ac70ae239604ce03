"""Channels: thin adapters between a transport and the conversation service."""
