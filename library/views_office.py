"""Placeholder: the helper who owns this module replaces it."""

from django.http import HttpResponse


def index(request, *args, **kwargs):
    return HttpResponse(status=501)


def session_documents(request, *args, **kwargs):
    return HttpResponse(status=501)


def publish_session_view(request, *args, **kwargs):
    return HttpResponse(status=501)


def upload_view(request, *args, **kwargs):
    return HttpResponse(status=501)


def edit_view(request, *args, **kwargs):
    return HttpResponse(status=501)


def new_version_view(request, *args, **kwargs):
    return HttpResponse(status=501)


def attach_view(request, *args, **kwargs):
    return HttpResponse(status=501)


def publish_view(request, *args, **kwargs):
    return HttpResponse(status=501)


def withdraw_view(request, *args, **kwargs):
    return HttpResponse(status=501)


def reads_view(request, *args, **kwargs):
    return HttpResponse(status=501)


def version_status(request, *args, **kwargs):
    return HttpResponse(status=501)

