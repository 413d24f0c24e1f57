"""The messages the workbench's and the adjudication page's JavaScript shows, in the
interface's language: the page hands them to the modules in its json_script data."""

from django.utils.translation import gettext_lazy as _lazy

MESSAGES = {
    "suggestion": _lazy("Suggestion"),
    "suggestion_help": _lazy("Enter accepts it, a label key accepts it with that label, "
                             "Delete rejects it."),
    "suggested_by": _lazy("Suggested by %s"),
    "score": _lazy("score"),
    "accept": _lazy("Accept"),
    "reject": _lazy("Reject"),
    "more_suggestions": _lazy("… and %s more in the text."),
    "accept_refused": _lazy("This suggestion cannot be accepted: the project's rules refuse it "
                            "(an overlap, or a relation's entity types)."),
    "entity_help": _lazy("A label key relabels it; Delete removes it; a relation key, then a "
                         "click on another entity, links them."),
    "occurrences": _lazy("Label all occurrences"),
    "occurrences_done": _lazy("%s more occurrences labelled."),
    "occurrences_none": _lazy("No other occurrence to label."),
    "relation_help": _lazy("Delete removes this relation."),
    "nothing_selected": _lazy("Select text, then press a label key or click a label."),
    "linking": _lazy("%s: click the entity at the other end, or Tab to it and press Enter "
                     "(Esc cancels)."),
    "select_head": _lazy("Click an entity first: it becomes the relation's head."),
    "select_text": _lazy("Select some text first, or click an entity."),
    "armed": _lazy("%s is armed: select text, or double-click a word, to label it (Esc "
                   "disarms)."),
    "cursor": _lazy("Cursor"),
    "cursor_help": _lazy("Arrows move it by a word, Shift+arrows extend it, a label key labels "
                         "it; Tab goes to the next entity."),
    "candidate": _lazy("Enter links it to"),
    "no_entities": _lazy("No entity to go to yet."),
    "no_annotations": _lazy("Nothing labelled yet."),
    "more_annotations": _lazy("%s more: Down goes on."),
    "save_saved": _lazy("All changes saved"),
    "save_saving": _lazy("Saving…"),
    "save_pending": _lazy("Unsaved changes"),
    "save_offline": _lazy("Not saved: no connection. Retrying in %s s."),
    "save_conflict": _lazy("This annotation was saved in another tab or window. Reload to see "
                           "it; nothing was overwritten."),
    "save_invalid": _lazy("Not saved: the server refused the annotation."),
    "save_forbidden": _lazy("Not saved: this document is no longer yours to label."),
    "recovered": _lazy("Unsaved changes from your last visit were restored."),
    "skip_unsaved": _lazy("Not skipped: your labels are not saved yet. Try again once they "
                          "are."),
    # the rules of annotation/static/js/workbench/model.js; {name} placeholders
    "no_entity_label": _lazy("No entity label {label}."),
    "no_relation_label": _lazy("No relation label {label}."),
    "no_sentiment_label": _lazy("No sentiment label {label}."),
    "select_first": _lazy("Select some text first."),
    "entity_exists": _lazy("That entity is already there."),
    "overlap_refused": _lazy("It overlaps {label} {span}, and this project does not allow "
                             "overlapping spans."),
    "no_entity": _lazy("No such entity."),
    "relation_two": _lazy("A relation joins two entities."),
    "relation_different": _lazy("A relation joins two different entities."),
    "head_refused": _lazy("{relation} does not allow a {label} entity at its head (allowed: "
                          "{allowed})."),
    "tail_refused": _lazy("{relation} does not allow a {label} entity at its tail (allowed: "
                          "{allowed})."),
    "relation_exists": _lazy("That relation is already there."),
}
