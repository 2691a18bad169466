"""Form fields every app's forms share."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .photos import MAX_PHOTOS, validate_photo

PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """The one field for several photos at once (cards, visits, complaints, forums): at most
    ``MAX_PHOTOS``, each checked from its bytes (JPEG, PNG or WebP, at most 5 MB), every bad
    photo reported. Optional; cleans to a list of uploads. The services check again, for the
    admin and the APIs, and re-encode what they keep."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": PHOTO_ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        uploads = [super(MultiplePhotoField, self).clean(f, initial) for f in files]
        if len(uploads) > MAX_PHOTOS:
            raise ValidationError(_("Attach at most 3 photos."), code="too_many_photos")
        errors = []
        for upload in uploads:
            try:
                validate_photo(upload)
            except ValidationError as error:
                errors.extend(error.error_list)
        if errors:
            raise ValidationError(errors)
        return uploads
