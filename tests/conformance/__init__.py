"""Tencent's own app SDK, run against the simulator: the simulator speaks the live dialect."""
