"""Hall displays in the admin. Which slide a display shows is live state:
changing it here goes through displays.services.set_slide, like the console."""

from django import forms
from django.contrib import admin, messages

from accounts.permissions import actor_for
from audit.operations import ServiceError
from meeting.models import Sitting

from . import services, slides
from .models import Display


class DisplayForm(forms.ModelForm):
    slide = forms.ChoiceField()

    class Meta:
        model = Display
        fields = ("name", "sitting", "slide")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(s.key, s.title) for s in slides.all_slides()]
        if self.instance.slide and not slides.exists(self.instance.slide):
            choices.append((self.instance.slide, self.instance.slide))
        self.fields["slide"].choices = choices
        self.fields["slide"].label = Display._meta.get_field("slide").verbose_name


@admin.register(Display)
class DisplayAdmin(admin.ModelAdmin):
    form = DisplayForm
    list_display = ("name", "sitting", "slide")
    list_filter = ("sitting",)
    search_fields = ("name",)

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        # The sitting and the slide are live state: they change through the
        # services, which announce them; the other fields save here.
        new_sitting, new_slide = obj.sitting_id, obj.slide
        obj.sitting_id, obj.slide = form.initial.get("sitting"), form.initial.get("slide")
        super().save_model(request, obj, form, change)
        try:
            if "sitting" in form.changed_data:
                services.assign(request.user, obj.pk, new_sitting)
            if "slide" in form.changed_data and new_sitting:
                sitting = Sitting.objects.get(pk=new_sitting)
                services.set_slide(actor_for(sitting, user=request.user), new_sitting, obj.pk, new_slide)
        except ServiceError as e:
            self.message_user(request, e.message, messages.ERROR)
        obj.refresh_from_db()
