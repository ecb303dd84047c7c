"""Signals other apps listen to, so accounts never import them."""

from django.dispatch import Signal

# Sent inside the erasing transaction with `user`; receivers delete or anonymise their rows.
user_erased = Signal()
