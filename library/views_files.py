"""Placeholder: the helper who owns this module replaces it."""

from django.http import HttpResponse


def current_file(request, *args, **kwargs):
    return HttpResponse(status=501)


def version_file(request, *args, **kwargs):
    return HttpResponse(status=501)


def rendition(request, *args, **kwargs):
    return HttpResponse(status=501)


def page_image(request, *args, **kwargs):
    return HttpResponse(status=501)


def thumb_image(request, *args, **kwargs):
    return HttpResponse(status=501)

