"""Placeholder: the helper who owns this module replaces it."""

from django.http import HttpResponse


def viewer(request, *args, **kwargs):
    return HttpResponse(status=501)


def annotations(request, *args, **kwargs):
    return HttpResponse(status=501)


def annotation(request, *args, **kwargs):
    return HttpResponse(status=501)


def offline_manifest(request, *args, **kwargs):
    return HttpResponse(status=501)


def service_worker(request, *args, **kwargs):
    return HttpResponse(status=501)

