"""The integration with a Quectel app, against the Quectel cloud simulator."""
