"""Fault-injection suite: the integration against a misbehaving cloud."""
