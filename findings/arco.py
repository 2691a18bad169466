"""ARCO rights for findings (see accounts.arco): the in-portal messages a person received.
Findings and their events stay (the public record); the messages are the person's own and are
removed with their data."""

from .models import Message


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
        for m in Message.objects.filter(user=subject.user)
    ]
    return {"messages": messages} if messages else {}


def anonymise(subject) -> dict:
    if subject.user is None:
        return {}
    deleted, _by_model = Message.objects.filter(user=subject.user).delete()
    return {"messages": deleted}
