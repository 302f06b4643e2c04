"""Placeholder: the helper who owns this module replaces it."""

from django.http import HttpResponse


def convocation(request, *args, **kwargs):
    return HttpResponse(status=501)


def convocations(request, *args, **kwargs):
    return HttpResponse(status=501)


def open_session(request, *args, **kwargs):
    return HttpResponse(status=501)


def public_documents(request, *args, **kwargs):
    return HttpResponse(status=501)

