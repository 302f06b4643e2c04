from django.conf import settings


def site(request):
    return {"COUNCIL_NAME": settings.COUNCIL_NAME}
