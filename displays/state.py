from .models import Display


def display_state(display: Display) -> dict:
    return {"id": display.pk, "name": display.name, "slide": display.slide, "sitting_id": display.sitting_id}


def displays_state(sitting_id: int) -> list[dict]:
    return [display_state(d) for d in Display.objects.filter(sitting_id=sitting_id).order_by("name")]
