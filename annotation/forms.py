from django import forms
from django.utils.translation import gettext_lazy as _

from annotation.services.imports.options import FORMATS, ImportOptions
from projects.display import FORMAT_NAMES


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File"))
    format = forms.ChoiceField(label=_("Format"), required=False,
                               choices=[("", _("Guess from the file"))]
                               + [(f, FORMAT_NAMES.get(f, f)) for f in FORMATS])
    on_error = forms.ChoiceField(label=_("When a record has a problem"), initial="fail",
                                 choices=[("fail", _("Import nothing")),
                                          ("skip", _("Skip the bad records"))])
    duplicates = forms.ChoiceField(label=_("Exact duplicates"), initial="skip",
                                   choices=[("skip", _("Skip")), ("keep", _("Keep")),
                                            ("merge", _("Merge their annotations"))])
    near_duplicates = forms.ChoiceField(label=_("Near duplicates"), initial="flag",
                                        choices=[("flag", _("Flag in the report")),
                                                 ("skip", _("Skip")), ("off", _("Off"))])
    near_duplicate_threshold = forms.FloatField(label=_("Near-duplicate similarity (Jaccard)"),
                                                initial=0.85, min_value=0.5, max_value=1.0)
    create_labels = forms.BooleanField(label=_("Create labels the project lacks"),
                                       required=False)
    text_column = forms.CharField(label=_("Text column (CSV/TSV)"), initial="text")
    id_column = forms.CharField(label=_("Id column (CSV/TSV)"), initial="id", required=False)
    txt_mode = forms.ChoiceField(label=_("Plain text"), initial="lines",
                                 choices=[("lines", _("One document per line")),
                                          ("document", _("The whole file is one document"))])
    long_texts = forms.ChoiceField(label=_("Texts over the length limit"), initial="error",
                                   required=False, choices=[("error", _("Report a problem")),
                                            ("split", _("Split into several documents"))])

    def options(self) -> ImportOptions:
        data = {k: v for k, v in self.cleaned_data.items() if k != "file"}
        data["format"] = data["format"] or None
        data["id_column"] = data["id_column"] or None
        data["long_texts"] = data.get("long_texts") or "error"
        return ImportOptions(**data)
