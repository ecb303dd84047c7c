"""HTTP routes of the live room (notes export, replay)."""

urlpatterns: list = []
