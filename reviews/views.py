"""The contract reviews in the portal: staff assign, the assigned guardians answer (on a
phone), both discuss, staff publish and act on the observations."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guardians.permissions import guardian_or_staff_required, staff_required

from . import selectors, services
from .constants import ReviewStatus
from .forms import (
    AnswersForm,
    AssignForm,
    ChangesForm,
    CommentForm,
    ConfirmForm,
    ObservationFormSet,
    PublishForm,
)
from .models import ContractReview, Observation

# The views below are behind staff_required or guardian_or_staff_required: the request has
# its municipality (else 404) and ``is_program_staff``.


def _review_for(request, pk) -> ContractReview:
    """The review if the user may open it (else 404: another's review is not there)."""
    reviews = selectors.reviews_for(
        municipality=request.municipality,
        guardian=getattr(request, "guardian", None),
        staff=request.is_program_staff,
    )
    return get_object_or_404(reviews.distinct(), pk=pk)


@guardian_or_staff_required
@require_GET
def review_list(request):
    reviews = selectors.reviews_for(
        municipality=request.municipality,
        guardian=request.guardian,
        staff=request.is_program_staff,
    )
    status = request.GET.get("status", "")
    if status in ReviewStatus.values:
        reviews = reviews.filter(status=status)
    return render(
        request,
        "reviews/review_list.html",
        {
            "reviews": reviews.distinct()[:200],
            "status": status,
            "statuses": ReviewStatus.choices,
            "is_staff": request.is_program_staff,
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def review_assign(request):
    municipality = request.municipality
    form = AssignForm(request.POST or None, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_assign(
                contract=form.cleaned_data["contract"],
                guardians=form.cleaned_data["guardians"],
                assigned_by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The review was assigned."))
            return redirect("reviews:detail", pk=review.pk)
    return render(request, "reviews/assign.html", {"form": form})


@never_cache
@guardian_or_staff_required
@require_http_methods(["GET", "POST"])
def review_detail(request, pk):
    review = _review_for(request, pk)
    can_edit = (
        review.status in services.EDITABLE
        and request.guardian is not None
        and services.is_assigned(review, request.guardian)
    )
    items = review.template.items.all()
    answers = {a.item_id: a for a in review.answers.select_related("document", "item")}
    form = None
    if can_edit:
        form = AnswersForm(
            request.POST if request.method == "POST" else None,
            review=review,
            items=items,
            answers=answers,
            name_public=review.assignments.filter(
                guardian=request.guardian, name_public=True
            ).exists(),
        )
        if request.method == "POST" and form.is_valid():
            submit = "submit" in request.POST
            try:
                services.review_answers_save(
                    review=review,
                    guardian=request.guardian,
                    answers=form.answers(),
                    submit=submit,
                    name_public=form.cleaned_data["name_public"],
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    _("The review was submitted to the Sindicatura.")
                    if submit
                    else _("Your answers were saved as a draft."),
                )
                return redirect("reviews:detail", pk=review.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "reviews/review_detail.html",
        {
            "review": review,
            "form": form,
            "rows": [(item, answers.get(item.pk)) for item in items],
            "comments": review.comments.select_related("author"),
            "comment_form": CommentForm(),
            "changes_form": ChangesForm(),
            "is_staff": request.is_program_staff,
            "assignments": review.assignments.select_related("guardian__user"),
            "observations": review.observations.select_related("item", "finding"),
            "confirm": ConfirmForm(initial={"confirm": True}),
        },
    )


@guardian_or_staff_required
@require_POST
def review_comment(request, pk):
    review = _review_for(request, pk)
    if not request.is_program_staff and not services.is_assigned(review, request.guardian):
        raise PermissionDenied
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.review_comment_add(
                review=review, author=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your comment was added."))
    else:
        messages.error(request, _("Write the comment."))
    return redirect(reverse("reviews:detail", kwargs={"pk": review.pk}) + "#discussion")


@staff_required
@require_POST
def review_request_changes(request, pk):
    review = _review_for(request, pk)
    form = ChangesForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what the reviewers should change."))
    else:
        try:
            services.review_request_changes(
                review=review, user=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The review went back to its reviewers."))
    return redirect("reviews:detail", pk=review.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def review_publish(request, pk):
    review = _review_for(request, pk)
    if review.status != ReviewStatus.SUBMITTED:
        messages.error(request, _("Only a submitted review can be published."))
        return redirect("reviews:detail", pk=review.pk)
    items = review.template.items.all()
    if request.method == "POST":
        form = PublishForm(request.POST)
        formset = ObservationFormSet(request.POST, form_kwargs={"items": items})
    else:
        form = PublishForm()
        suggestions = services.observation_suggestions(review)
        formset = ObservationFormSet(
            initial=[{"item": s["item"].pk, "text": s["text"]} for s in suggestions],
            form_kwargs={"items": items},
        )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            services.review_publish(
                review=review,
                user=request.user,
                summary=form.cleaned_data["summary"],
                observations=[f.cleaned_data for f in formset.forms if f.cleaned_data],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The review was published."))
            return redirect("reviews:detail", pk=review.pk)
    return render(
        request,
        "reviews/publish.html",
        {"review": review, "form": form, "formset": formset},
    )


def _observation_for(request, pk) -> Observation:
    return get_object_or_404(
        Observation.objects.filter(review__municipality=request.municipality).select_related(
            "review__contract", "item"
        ),
        pk=pk,
    )


@staff_required
@require_POST
def observation_finding(request, pk):
    observation = _observation_for(request, pk)
    if not ConfirmForm(request.POST).is_valid():
        return HttpResponseBadRequest()
    try:
        services.observation_to_finding(observation=observation, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The observation was sent to the directorate as a finding."))
    return redirect(reverse("reviews:detail", kwargs={"pk": observation.review_id}) + "#obs")


@staff_required
@require_POST
def observation_request(request, pk):
    observation = _observation_for(request, pk)
    if not ConfirmForm(request.POST).is_valid():
        return HttpResponseBadRequest()
    try:
        services.request_for_observation(observation, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("A transparency request was drafted."))
    return redirect(reverse("reviews:detail", kwargs={"pk": observation.review_id}) + "#obs")
