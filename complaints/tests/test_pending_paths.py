"""The photos kept across the complaint form's confirmation step come back by name from a signed
token: a name that leaves the pending folder is refused, whoever signed it, and nothing is read,
deleted or stored."""

import pytest
from django.core import signing
from django.core.exceptions import ValidationError

from complaints.models import Complaint
from complaints.services import (
    PENDING_PHOTOS_SALT,
    pending_photos_store,
    pending_photos_take,
)

from .factories import jpeg_upload
from .test_views import NEW, form_data

pytestmark = pytest.mark.django_db

ESCAPING_NAMES = [
    "complaints/pending/../../x",
    "complaints/pending/../2025/01/victim.jpg",
    "complaints/pending/sub/../../2025/01/victim.jpg",
    "/etc/passwd",
    "complaints/pending/../../../../etc/passwd",
    "complaints/2025/01/victim.jpg",
]


@pytest.fixture
def media(settings, tmp_path):
    root = tmp_path / "media"
    settings.MEDIA_ROOT = str(root)
    victim = root / "complaints" / "2025" / "01" / "victim.jpg"
    victim.parent.mkdir(parents=True)
    victim.write_bytes(jpeg_upload().read())
    (root / "x").write_bytes(b"a file at the top of the media folder")
    return root


def token_for(*names) -> str:
    return signing.dumps(list(names), salt=PENDING_PHOTOS_SALT)


@pytest.mark.parametrize("name", ESCAPING_NAMES)
def test_a_pending_photo_name_that_leaves_its_folder_is_refused_and_nothing_is_taken(
    media, name, django_capture_on_commit_callbacks
):
    before = sorted(p for p in media.rglob("*") if p.is_file())
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError) as error,
    ):
        pending_photos_take(token=token_for(name))
    assert "attach them again" in error.value.messages[0]
    assert callbacks == []
    assert sorted(p for p in media.rglob("*") if p.is_file()) == before


def test_one_bad_name_refuses_the_whole_token_before_any_photo_is_taken(
    media, django_capture_on_commit_callbacks
):
    token = pending_photos_store(uploads=[jpeg_upload()])
    good = signing.loads(token, salt=PENDING_PHOTOS_SALT)[0]
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError),
    ):
        pending_photos_take(token=token_for(good, "complaints/pending/../../x"))
    assert callbacks == []
    assert (media / good).exists() and (media / "x").exists()


def test_a_token_that_is_not_a_list_of_names_is_refused(media):
    with pytest.raises(ValidationError):
        pending_photos_take(
            token=signing.dumps("complaints/pending/../../x", salt=PENDING_PHOTOS_SALT)
        )


def test_a_photo_kept_in_the_pending_folder_is_still_taken(
    media, django_capture_on_commit_callbacks
):
    token = pending_photos_store(uploads=[jpeg_upload()])
    name = signing.loads(token, salt=PENDING_PHOTOS_SALT)[0]
    assert name.startswith("complaints/pending/")
    with django_capture_on_commit_callbacks(execute=True):
        photos = pending_photos_take(token=token)
    assert len(photos) == 1 and photos[0].read()[:2] == b"\xff\xd8"
    assert not (media / name).exists()


def test_the_confirmation_step_refuses_a_token_that_leaves_the_folder(en_client, lighting, media):
    data = {
        **form_data(lighting),
        "confirmed": "True",
        "pending_photos": token_for("complaints/pending/../2025/01/victim.jpg"),
    }
    response = en_client.post(NEW, data)
    assert response.status_code == 400
    assert "attach them again" in response.content.decode()
    assert not Complaint.private_objects.exists()
    assert (media / "complaints" / "2025" / "01" / "victim.jpg").exists()


def test_the_confirmation_step_answers_a_forged_token_with_a_message(en_client, lighting, media):
    forged = signing.dumps(
        ["complaints/pending/a.jpg"], key="not-our-key", salt=PENDING_PHOTOS_SALT
    )
    data = {**form_data(lighting), "confirmed": "True", "pending_photos": forged}
    response = en_client.post(NEW, data)
    assert response.status_code == 400
    assert "The photos you attached have expired: attach them again." in response.content.decode()
    assert not Complaint.private_objects.exists()
