"""Tests of the Quectel adapter (api/quectel) against the Quectel simulator."""
