"""supervision pages of the resolutions module (see resolutions/urls.py)."""

urlpatterns = []
