"""Placeholder: the helper who owns this module replaces it."""

from django.http import HttpResponse


def search_view(request, *args, **kwargs):
    return HttpResponse(status=501)

