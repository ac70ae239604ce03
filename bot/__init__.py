"""Everything a client touches: the conversation service, channels, outbox delivery."""
