"""Routes of this part (its owner fills them in)."""

urlpatterns = []
