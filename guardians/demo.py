"""Demo data for the guardians program, run by ``manage.py seed_demo`` (core.demo) through
``GuardiansConfig.demo_seeders``: the default cards, a visit to a few colonias with two guardians
appointed each (a lead in every other one), a training session with its pre- and post-tests
taken, and cards. Idempotent: rows are found by natural keys, cards by a client id derived from
their content, so a second run adds nothing."""

import datetime
import uuid

from django.contrib.auth import get_user_model

from accounts.services import user_create
from territory.models import Municipality, PublicSpace

from . import services
from .models import (
    CardTemplate,
    CardTemplateItem,
    Evaluation,
    EvaluationAttempt,
    Guardian,
    Question,
    QuestionChoice,
    Topic,
    TrainingModule,
    TrainingSession,
    Visit,
)

Kind = CardTemplateItem.Kind
DEMO_COLONIAS = 6
CARD_NAMESPACE = uuid.UUID("6f6c7c8e-2b7a-4d5e-9a43-0c9b1f3d2e10")


def _demo_answers(template: CardTemplate, rng) -> dict[int, object]:
    answers: dict[int, object] = {}
    for item in template.items.all():
        if item.kind == Kind.YES_NO:
            answers[item.pk] = rng.choice(["yes", "yes", "yes", "no"])
        elif item.kind == Kind.RATING:
            answers[item.pk] = str(rng.randint(2, 5))
        elif item.kind == Kind.COUNT:
            if item.has_total:
                present = rng.randint(6, 12)
                answers[item.pk] = (present - rng.choice([0, 0, 1, 2]), present)
            else:
                answers[item.pk] = rng.choice([0, 0, 1, 2])
        elif item.kind == Kind.MULTI_CHOICE:
            answers[item.pk] = rng.choice([[], [], ["late"], ["poor_quality"]])
    return answers


def _guardian(*, context, municipality, username, colonia, visit, is_lead) -> Guardian:
    User = get_user_model()
    user = context.users.get(username) or User.objects.filter(username=username).first()
    if user is None:
        user = user_create(
            username=username,
            password=None,
            email=f"{username}@demo.villaguard.mx",
            municipality=municipality,
            first_name="Guardián",
            last_name=username.rsplit("-", 1)[-1],
            is_demo=True,
        )
    existing = Guardian.private_objects.filter(user=user).first()
    if existing is not None:
        return existing
    return services.guardian_create(
        municipality=municipality,
        user=user,
        colonia=colonia,
        is_lead=is_lead,
        appointed_on_visit=visit,
        privacy_accepted_at=visit.created_at,
    )


def seed_guardians(context) -> None:
    municipality: Municipality | None = context.chihuahua
    if municipality is None:
        return
    rng = context.random("guardians")
    services.seed_card_templates(municipality=municipality)
    templates = list(
        CardTemplate.objects.for_municipality(municipality)
        .current()
        .prefetch_related("items")
        .order_by("service_type__code")
    )
    colonias = [c for c in context.colonias if PublicSpace.objects.filter(colonia=c).exists()][
        :DEMO_COLONIAS
    ]
    for index, colonia in enumerate(colonias):
        date = context.today - datetime.timedelta(days=70 - index * 9)
        visit = Visit.objects.filter(municipality=municipality, colonia=colonia, date=date).first()
        if visit is None:
            visit = services.visit_create(
                municipality=municipality,
                date=date,
                colonia=colonia,
                people_contacted=rng.randint(6, 15),
                notes="Presentación del programa Guardianes Ciudadanos en el parque.",
            )
        # The demo logins (demo-lead, demo-guardian) watch the first colonia.
        usernames = (
            ["demo-lead", "demo-guardian"]
            if index == 0
            else [f"demo-guardian-{index}-a", f"demo-guardian-{index}-b"]
        )
        for number, username in enumerate(usernames):
            guardian = _guardian(
                context=context,
                municipality=municipality,
                username=username,
                colonia=colonia,
                visit=visit,
                is_lead=number == 0 and index % 2 == 0,
            )
            spaces = list(PublicSpace.objects.filter(colonia=colonia).order_by("code")[:2])
            for card_number, template in enumerate(templates):
                space = spaces[card_number % len(spaces)]
                observed_on = context.today - datetime.timedelta(days=rng.randint(1, 60))
                services.card_submit(
                    guardian=guardian,
                    client_id=uuid.uuid5(CARD_NAMESPACE, f"{username}:{template.service_type_id}"),
                    template=template,
                    space=space,
                    observed_on=observed_on,
                    answers=_demo_answers(template, rng),
                )
    _seed_training(municipality=municipality, today=context.today, rng=rng)
    context.log(f"guardians: {len(colonias)} colonias with guardians")


TRAINING_BANK = [
    (Topic.INSTITUTIONS, "¿Qué órgano vigila el patrimonio municipal?", "Sindicatura", "Tesorería"),
    (Topic.INSTITUTIONS, "¿Quién aprueba el presupuesto municipal?", "El Cabildo", "La empresa"),
    (
        Topic.SERVICES,
        "¿Quién da mantenimiento a las áreas verdes por contrato?",
        "Una empresa contratada",
        "Los vecinos",
    ),
    (
        Topic.TENDERS,
        "¿Qué es una licitación pública?",
        "Un concurso abierto entre empresas",
        "Una adjudicación directa",
    ),
    (Topic.CHANNELS, "¿Qué número atiende quejas de servicios?", "072", "911"),
]


def _seed_training(*, municipality: Municipality, today: datetime.date, rng) -> None:
    title = "Capacitación de Guardianes Ciudadanos"
    session = TrainingSession.objects.filter(municipality=municipality, title=title).first()
    if session is not None:
        return
    modules = [
        TrainingModule.objects.create(
            municipality=municipality, topic=topic, title=str(topic.label), order=order
        )
        for order, topic in enumerate(
            [Topic.INSTITUTIONS, Topic.SERVICES, Topic.TENDERS, Topic.CHANNELS], start=1
        )
    ]
    session = TrainingSession.objects.create(
        municipality=municipality,
        title=title,
        date=today - datetime.timedelta(days=30),
        place="Sindicatura",
    )
    session.modules.set(modules)
    questions = []
    for topic, text, right, wrong in TRAINING_BANK:
        question = Question.objects.create(municipality=municipality, topic=topic, text=text)
        QuestionChoice.objects.create(question=question, text=right, is_correct=True)
        QuestionChoice.objects.create(question=question, text=wrong)
        questions.append(question)
    evaluations = {}
    for kind in Evaluation.Kind.values:
        evaluations[kind] = Evaluation.objects.create(session=session, kind=kind)
        evaluations[kind].questions.set(questions)
    guardians = Guardian.private_objects.for_municipality(municipality).exclude(
        user__username__in=["demo-guardian", "demo-lead"]  # left for the visitor to take
    )
    for guardian in guardians:
        for kind, knows in (("pre", rng.randint(1, 3)), ("post", rng.randint(2, 5))):
            if EvaluationAttempt.objects.filter(
                evaluation=evaluations[kind], guardian=guardian
            ).exists():
                continue
            answers = {}
            for position, question in enumerate(questions):
                choices = list(question.choices.order_by("-is_correct", "id"))
                answers[question.pk] = choices[0 if position < knows else 1].pk
            services.evaluation_submit(
                evaluation=evaluations[kind], guardian=guardian, answers=answers
            )
