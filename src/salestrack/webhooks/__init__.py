"""Outgoing webhooks: signing (``signing``) and the delivery loop (``dispatcher``)."""
