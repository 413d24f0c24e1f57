from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from projects.models import Label, LabelKind, Project, Role, Task
from projects.services.projects import PROJECT_FIELDS


class ProjectForm(forms.ModelForm):
    tasks = forms.MultipleChoiceField(choices=Task.choices, widget=forms.CheckboxSelectMultiple,
                                      label=_("Tasks"))

    class Meta:
        model = Project
        fields = [f for f in PROJECT_FIELDS if f != "guidelines"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    KEPT_WHEN_LEFT_OUT = ("order", "suggestion_min_score", "train_every", "activation_f1",
                          "relation_min_gold", "segmentation")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.KEPT_WHEN_LEFT_OUT:  # left out of a form post: the value stays
            self.fields[name].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in self.KEPT_WHEN_LEFT_OUT:
            if data.get(name) in (None, ""):
                data[name] = getattr(self.instance, name)
        return data

    def _post_clean(self) -> None:
        """Validation belongs to the service; the form only parses."""


class GuidelinesForm(forms.Form):
    guidelines = forms.CharField(label=_("Guidelines (Markdown)"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 18}))


class LabelForm(forms.ModelForm):
    head_labels = forms.ModelMultipleChoiceField(queryset=Label.objects.none(), required=False,
                                                 label=_("Head labels (empty: any)"))
    tail_labels = forms.ModelMultipleChoiceField(queryset=Label.objects.none(), required=False,
                                                 label=_("Tail labels (empty: any)"))

    class Meta:
        model = Label
        fields = ["kind", "name", "color", "shortcut", "order", "value", "directed",
                  "head_labels", "tail_labels"]
        widgets = {"color": forms.TextInput(attrs={"type": "color"})}

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        entities = project.labels.filter(kind=LabelKind.ENTITY)
        for name in ("head_labels", "tail_labels"):  # names alone: the kind is known
            self.fields[name].queryset = entities
            self.fields[name].label_from_instance = lambda label: label.name
        self.fields["order"].required = False
        if self.instance.pk:
            self.fields["kind"].disabled = True

    def _post_clean(self) -> None:
        """Validation belongs to the service; the form only parses."""

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        for key in ("head_labels", "tail_labels"):
            data[key] = [lb.name for lb in data.get(key) or []]
        if data.get("order") is None:
            data.pop("order", None)
        if self.instance.pk:
            data.pop("kind", None)
        return data


class MemberForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
