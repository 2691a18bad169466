"""ARCO rights for findings (see accounts.privacy.arco): the in-portal messages a person's account
received about the municipality's findings. Findings and their events stay (the public
record); the messages are the person's own and are removed with their data. Nothing here is
matched by e-mail."""

from .models import Message


def _messages(subject):
    return Message.objects.filter(user=subject.user, finding__municipality=subject.municipality)


def export(subject) -> dict:
    if subject.user is None:
        return {}
    messages = [
        {
            "subject": m.subject,
            "body": m.body,
            "created_at": m.created_at.isoformat(),
            "read_at": m.read_at.isoformat() if m.read_at else None,
        }
        for m in _messages(subject)
    ]
    return {"messages": messages} if messages else {}


def anonymise(subject) -> dict:
    if subject.user is None:
        return {}
    ids = list(_messages(subject).values_list("pk", flat=True))
    Message.objects.filter(pk__in=ids).delete()
    return {Message._meta.label_lower: ids}
