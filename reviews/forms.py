from django import forms
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract, ContractDocument
from guardians.models import Guardian
from guardians.selectors import trained_for_contract_review

from .constants import Answer
from .models import ContractReview, ReviewTemplateItem


class GuardianChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.user.get_full_name() or obj.user.get_username()


class AssignForm(forms.Form):
    contract = forms.ModelChoiceField(label=_("Contract"), queryset=Contract.objects.none())
    guardians = GuardianChoiceField(
        label=_("Guardians who review it"),
        queryset=Guardian.private_objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only guardians who passed the training on contracts or tenders."),
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = (
            Contract.objects.for_municipality(municipality)
            .select_related("company")
            .order_by("-start_date", "number")
        )
        self.fields["guardians"].queryset = trained_for_contract_review(municipality)


class AnswersForm(forms.Form):
    """One group of fields per checklist item, named ``<item id>-answer|note|document|page``
    (the keys of ``services.review_answers_save``'s errors)."""

    def __init__(
        self, *args, review: ContractReview, items, answers: dict, name_public=False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.review = review
        self.items = list(items)
        documents = ContractDocument.objects.filter(contract_id=review.contract_id)
        for item in self.items:
            existing = answers.get(item.pk)
            prefix = f"{item.pk}-"
            self.fields[prefix + "answer"] = forms.ChoiceField(
                label=item.text,
                choices=Answer.choices,
                required=False,
                widget=forms.RadioSelect,
                help_text=item.help_text,
                initial=existing.answer if existing else None,
            )
            self.fields[prefix + "note"] = forms.CharField(
                label=_("Note"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=existing.note if existing else "",
            )
            self.fields[prefix + "document"] = forms.ModelChoiceField(
                label=_("Document"),
                queryset=documents,
                required=False,
                initial=existing.document_id if existing else None,
            )
            self.fields[prefix + "page"] = forms.IntegerField(
                label=_("Page"),
                min_value=1,
                required=False,
                initial=existing.page if existing else None,
            )

        self.fields["name_public"] = forms.BooleanField(
            label=_("My name may be published with the review"),
            required=False,
            initial=name_public,
        )

    def rows(self):
        """(item, [its bound fields]) in checklist order."""
        return [
            (
                item,
                [self[f"{item.pk}-{name}"] for name in ("answer", "note", "document", "page")],
            )
            for item in self.items
        ]

    def answers(self) -> dict[int, dict]:
        data = self.cleaned_data
        return {
            item.pk: {
                "answer": data.get(f"{item.pk}-answer") or "",
                "note": data.get(f"{item.pk}-note") or "",
                "document": data.get(f"{item.pk}-document"),
                "page": data.get(f"{item.pk}-page"),
            }
            for item in self.items
        }


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))


class ChangesForm(forms.Form):
    text = forms.CharField(
        label=_("What should the reviewers change?"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ObservationForm(forms.Form):
    item = forms.ModelChoiceField(
        queryset=ReviewTemplateItem.objects.none(), required=False, widget=forms.HiddenInput
    )
    text = forms.CharField(
        label=_("Observation"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        if items is not None:
            self.fields["item"].queryset = items


ObservationFormSet = forms.formset_factory(ObservationForm, extra=2, max_num=60)


class PublishForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary for the public"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(required=True, widget=forms.HiddenInput)
