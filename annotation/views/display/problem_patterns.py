"""The English messages of an import's problems, as patterns (see problems.py).

Each entry is (regular expression, template): the expression matches a whole message, and its
named groups fill the template's placeholders. Every template, filled with the English groups,
gives back the English message. Where two expressions could match one message, the narrower
comes first.

- `READING`: the readers (annotation/readers/: decode, formats, limits), as problems of a
  record or as a `FileError`, the file's.
- `CHECKING`: the import's checks of a record read (cleaning, PII masking, long texts, ids,
  annotators and labels in annotation/services/imports/; the content's validation in
  annotation/pure/content.py).

If you change a message's wording there, change its pattern here.
"""

from django.utils.translation import gettext_lazy as _

N = r"[\d,]+"  # a count, maybe written with thousands separators
SPAN = r"\[(?P<start>-?\d+), (?P<end>-?\d+)\)"
LINE_LIMIT = (rf"holds (?P<n>{N}) characters; a line may hold (?P<max>{N}) \(the limit, "
              r"CONCORD_IMPORT_MAX_LINE_CHARS\)")
ARRAY = r"A JSON file must hold an array of records \(\[\.\.\.\]\); this one starts with "
JSONL = r"\. For one record a line, choose the jsonl format\."
ENTITY = r"entity (?P<entity>.+?): "  # who a content error is about
OFFSETS = rf"{ENTITY}bad offsets {SPAN}: "

READING = (
    (r"The file is empty\.", _("The file is empty.")),
    (r"The file is not valid (?P<encoding>UTF-8|UTF-16) at byte (?P<byte>\d+) "
     r"\((?P<code>0x[0-9a-f]{2}): (?P<reason>.+)\)\. Save it as UTF-8 and try again\.",
     _("The file is not valid %(encoding)s at byte %(byte)s (%(code)s: %(reason)s). Save it "
       "as UTF-8 and try again.")),
    (rf"Line (?P<line>{N}) {LINE_LIMIT}\.",
     _("Line %(line)s holds %(n)s characters; a line may hold %(max)s (the limit, "
       "CONCORD_IMPORT_MAX_LINE_CHARS).")),
    (rf"the line {LINE_LIMIT}",
     _("the line holds %(n)s characters; a line may hold %(max)s (the limit, "
       "CONCORD_IMPORT_MAX_LINE_CHARS)")),
    (r"Unknown format (?P<format>.+); expected one of: (?P<formats>.+)\.",
     _("Unknown format %(format)s; expected one of: %(formats)s.")),
    (rf"nested deeper than (?P<max>{N}) levels of arrays and objects \(the limit, "
     r"CONCORD_IMPORT_MAX_DEPTH\)",
     _("nested deeper than %(max)s levels of arrays and objects (the limit, "
       "CONCORD_IMPORT_MAX_DEPTH)")),
    (rf"more than (?P<max>{N}) object keys in one record \(the limit, CONCORD_IMPORT_MAX_KEYS\)",
     _("more than %(max)s object keys in one record (the limit, CONCORD_IMPORT_MAX_KEYS)")),
    (rf"(?P<n>{N}) meta keys; the limit is (?P<max>{N}) \(CONCORD_IMPORT_MAX_META_KEYS\)",
     _("%(n)s meta keys; the limit is %(max)s (CONCORD_IMPORT_MAX_META_KEYS)")),
    (rf"a meta key of (?P<n>{N}) characters; the limit is (?P<max>{N}) "
     r"\(CONCORD_IMPORT_MAX_META_KEY_CHARS\)",
     _("a meta key of %(n)s characters; the limit is %(max)s "
       "(CONCORD_IMPORT_MAX_META_KEY_CHARS)")),
    (rf"a meta value of (?P<n>{N}) characters; the limit is (?P<max>{N}) "
     r"\(CONCORD_IMPORT_MAX_META_VALUE_CHARS\)",
     _("a meta value of %(n)s characters; the limit is %(max)s "
       "(CONCORD_IMPORT_MAX_META_VALUE_CHARS)")),
    (rf"{ARRAY}nothing{JSONL}",
     _("A JSON file must hold an array of records ([...]); this one starts with nothing. For "
       "one record a line, choose the jsonl format.")),
    (rf"{ARRAY}(?P<found>'.*'){JSONL}",
     _("A JSON file must hold an array of records ([...]); this one starts with %(found)s. "
       "For one record a line, choose the jsonl format.")),
    (r"malformed JSON: nested too deeply", _("malformed JSON: nested too deeply")),
    (r"malformed JSON: (?P<reason>.+) at column (?P<column>\d+)",
     _("malformed JSON: %(reason)s at column %(column)s")),
    (r"malformed JSON after the array of records: (?P<reason>.+)",
     _("malformed JSON after the array of records: %(reason)s")),
    (r"malformed JSON after record (?P<n>\d+): (?P<reason>.+)",
     _("malformed JSON after record %(n)s: %(reason)s")),
    (r"malformed JSON before the first record: (?P<reason>.+)",
     _("malformed JSON before the first record: %(reason)s")),
    (rf"the record takes more than (?P<n>{N}) bytes \(4 a character of the line limit, "
     r"CONCORD_IMPORT_MAX_LINE_CHARS\); the records after it were not read",
     _("the record takes more than %(n)s bytes (4 a character of the line limit, "
       "CONCORD_IMPORT_MAX_LINE_CHARS); the records after it were not read")),
    (r"an unpaired surrogate escape \(\\ud800-\\udfff\) is not valid Unicode",
     _("an unpaired surrogate escape (\\ud800-\\udfff) is not valid Unicode")),
    (r"a record must be a JSON object, got (?P<got>\w+)",
     _("a record must be a JSON object, got %(got)s")),
    (r"a task must be a JSON object", _("a task must be a JSON object")),
    (r"missing", _("missing")),
    (r"must not be empty", _("must not be empty")),
    (r"must be (?P<must>a string|an integer|an object|an array), got (?P<got>\w+)",
     _("must be %(must)s, got %(got)s")),
    (r"must be a string or an integer, got (?P<got>\w+)",
     _("must be a string or an integer, got %(got)s")),
    (r"must be a string, a list of strings or null, got (?P<got>\w+)",
     _("must be a string, a list of strings or null, got %(got)s")),
    (r"must be a string or an object \{label, agent, model_version, score\}, got (?P<got>\w+)",
     _("must be a string or an object {label, agent, model_version, score}, got %(got)s")),
    (r"must be a number from 0 to 1, got (?P<got>.+)",
     _("must be a number from 0 to 1, got %(got)s")),
    (r"must be \[start, end, label\] or a label name",
     _("must be [start, end, label] or a label name")),
    (r"must be a user id or object", _("must be a user id or object")),
    (r"an agent's name has 1 to (?P<max>\d+) characters, none of them a control character",
     _("an agent's name has 1 to %(max)s characters, none of them a control character")),
    (rf"has (?P<n>{N}) characters; at most (?P<max>\d+)",
     _("has %(n)s characters; at most %(max)s")),
    (r"duplicate id (?P<id>.+) \(first seen on line (?P<first>\d+)\)",
     _("duplicate id %(id)s (first seen on line %(first)s)")),
    (r"duplicate id (?P<id>.+) \(first seen on record (?P<first>\d+)\)",
     _("duplicate id %(id)s (first seen on record %(first)s)")),
    (r"duplicate entity id (?P<id>.+)", _("duplicate entity id %(id)s")),
    (r"no entity with id (?P<id>.+) in this labelling",
     _("no entity with id %(id)s in this labelling")),
    (r"no entity with id (?P<id>.+) in this record",
     _("no entity with id %(id)s in this record")),
    (r"annotator (?P<name>.+) appears twice", _("annotator %(name)s appears twice")),
    (r"not a key of Concord's native record \(is this a (?P<format>.+) export\? choose that "
     r"format\)",
     _("not a key of Concord's native record (is this a %(format)s export? choose that "
       "format)")),
    (r"Unknown txt_mode (?P<mode>.+): use 'lines' or 'document'\.",
     _("Unknown txt_mode %(mode)s: use 'lines' or 'document'.")),
    (r"no text: data holds no string", _("no text: data holds no string")),
    (r"the text at (?P<start>-?\d+)\.\.(?P<end>-?\d+) is (?P<found>.+), but the region says "
     r"(?P<quoted>.+)",
     _("the text at %(start)s..%(end)s is %(found)s, but the region says %(quoted)s")),
    (r"no labelled region with id (?P<id>.+) in this annotation",
     _("no labelled region with id %(id)s in this annotation")),
    (r"a relation needs a label", _("a relation needs a label")),
    (r"The column (?P<name>.+) appears twice in the header\.",
     _("The column %(name)s appears twice in the header.")),
    (rf"The header has (?P<n>{N}) columns; at most (?P<max>{N}) besides the text and the id "
     r"may become meta keys \(CONCORD_IMPORT_MAX_META_KEYS\)\.",
     _("The header has %(n)s columns; at most %(max)s besides the text and the id may become "
       "meta keys (CONCORD_IMPORT_MAX_META_KEYS).")),
    (rf"The column name (?P<name>.+)… has (?P<n>{N}) characters; a meta key may have "
     rf"(?P<max>{N}) \(CONCORD_IMPORT_MAX_META_KEY_CHARS\)\.",
     _("The column name %(name)s… has %(n)s characters; a meta key may have %(max)s "
       "(CONCORD_IMPORT_MAX_META_KEY_CHARS).")),
    (r"no column (?P<name>.+) in the header; columns are: (?P<names>.*)",
     _("no column %(name)s in the header; columns are: %(names)s")),
    (r"The file has no header row\.", _("The file has no header row.")),
    (r"malformed (?P<format>CSV|TSV): (?P<reason>.+)", _("malformed %(format)s: %(reason)s")),
    (r"expected (?P<n>\d+) fields, found (?P<found>\d+)",
     _("expected %(n)s fields, found %(found)s")),
    (r"unknown tag (?P<tag>.+) \(expected O, B-, I-, E- or S- and a type\)",
     _("unknown tag %(tag)s (expected O, B-, I-, E- or S- and a type)")),
    (r"expected a token and a tag, found one column",
     _("expected a token and a tag, found one column")),
)

CHECKING = (
    (rf"span {SPAN} splits a character sequence that normalization merges; move the "
     r"boundary outside the combined character",
     _("span [%(start)s, %(end)s) splits a character sequence that normalization merges; "
       "move the boundary outside the combined character")),
    (rf"span {SPAN} holds only control characters that cleaning removes",
     _("span [%(start)s, %(end)s) holds only control characters that cleaning removes")),
    (rf"span {SPAN} partially overlaps a (?P<type>\w+) at \[(?P<hit_start>\d+), "
     r"(?P<hit_end>\d+)\); masking it would change what the span covers",
     _("span [%(start)s, %(end)s) partially overlaps a %(type)s at [%(hit_start)s, "
       "%(hit_end)s); masking it would change what the span covers")),
    (rf"the text is (?P<n>{N}) code points; the limit is (?P<limit>{N}) "
     r"\(CONCORD_MAX_DOCUMENT_CHARS\)\. Import with long_texts=split to cut it into documents "
     r"of at most (?P=limit) code points\.",
     _("the text is %(n)s code points; the limit is %(limit)s (CONCORD_MAX_DOCUMENT_CHARS). "
       "Import with long_texts=split to cut it into documents of at most %(limit)s code "
       "points.")),
    (rf"bad offsets {SPAN} for a text of (?P<n>{N}) code points",
     _("bad offsets [%(start)s, %(end)s) for a text of %(n)s code points")),
    (rf"the span {SPAN} crosses the cut at (?P<cut>{N}) between parts (?P<a>\d+) and "
     r"(?P<b>\d+) of the long text; it is not shifted \(change the limit or the span\)",
     _("the span [%(start)s, %(end)s) crosses the cut at %(cut)s between parts %(a)s and "
       "%(b)s of the long text; it is not shifted (change the limit or the span)")),
    (r"the relation joins entities of parts (?P<a>\d+) and (?P<b>\d+) of the long text",
     _("the relation joins entities of parts %(a)s and %(b)s of the long text")),
    (rf"after cleaning, the text is (?P<n>{N}) code points; the limit is (?P<limit>{N}) "
     r"\(CONCORD_MAX_DOCUMENT_CHARS\)",
     _("after cleaning, the text is %(n)s code points; the limit is %(limit)s "
       "(CONCORD_MAX_DOCUMENT_CHARS)")),
    (r"the id (?P<id>.+) is both a record's and that of a part of a long text split at the "
     r"limit",
     _("the id %(id)s is both a record's and that of a part of a long text split at the "
       "limit")),
    (rf"the id has (?P<n>{N}) characters; an id has at most (?P<max>\d+)",
     _("the id has %(n)s characters; an id has at most %(max)s")),
    (rf"the id has (?P<n>{N}) characters with its part number; an id has at most "
     r"(?P<max>\d+)",
     _("the id has %(n)s characters with its part number; an id has at most %(max)s")),
    (r"the project already has a document with id (?P<id>.+)",
     _("the project already has a document with id %(id)s")),
    (r"a second (?P<labelling>annotation|gold) for the same document by (?P<who>.+); kept "
     r"the first",
     _("a second %(labelling)s for the same document by %(who)s; kept the first")),
    (r"a second (?P<labelling>annotation|gold) for the same document; kept the first",
     _("a second %(labelling)s for the same document; kept the first")),
    (rf"an annotator who is no member of the project gets an imported identity, whose name "
     rf"has 1 to (?P<max>\d+) characters \(this one has (?P<n>{N})\)",
     _("an annotator who is no member of the project gets an imported identity, whose name "
       "has 1 to %(max)s characters (this one has %(n)s)")),
    (r"(?P<name>.+) is no member of the project, and cannot name an imported identity: a "
     r"name is a username, of letters, digits and @ \. \+ - _ only",
     _("%(name)s is no member of the project, and cannot name an imported identity: a name "
       "is a username, of letters, digits and @ . + - _ only")),
    (r"cannot create the (?P<kind>\w+) label (?P<name>.+): a label name has 1 to "
     r"(?P<max>\d+) characters, none of them a control character",
     _("cannot create the %(kind)s label %(name)s: a label name has 1 to %(max)s characters, "
       "none of them a control character")),
    (rf"cannot create the (?P<kind>\w+) label (?P<name>.+): a project holds at most "
     rf"(?P<limit>{N}) labels \(setting CONCORD_PROJECT_MAX_LABELS\), and this record's new "
     rf"labels would make (?P<n>{N})",
     _("cannot create the %(kind)s label %(name)s: a project holds at most %(limit)s labels "
       "(setting CONCORD_PROJECT_MAX_LABELS), and this record's new labels would make "
       "%(n)s")),
    # The content's validation (annotation/pure/content.py).
    (r"must be (?P<must>a list|an object)", _("must be %(must)s")),
    (r"an id is a string of 1 to (?P<max>\d+) characters",
     _("an id is a string of 1 to %(max)s characters")),
    (rf"{ENTITY}(?P<field>start|end) must be an integer",
     _("entity %(entity)s: %(field)s must be an integer")),
    (rf"{ENTITY}label must be a label's name",
     _("entity %(entity)s: label must be a label's name")),
    (rf"{OFFSETS}start >= end", _("entity %(entity)s: bad offsets [%(start)s, %(end)s): "
                                  "start >= end")),
    (rf"{OFFSETS}end (?P=end) is past the text \((?P<n>\d+) code points\)",
     _("entity %(entity)s: bad offsets [%(start)s, %(end)s): end %(end)s is past the text "
       "(%(n)s code points)")),
    (rf"{OFFSETS}start is negative",
     _("entity %(entity)s: bad offsets [%(start)s, %(end)s): start is negative")),
    (rf"{ENTITY}(?P<name>.+) is (?P<is_a>an? \w+) label, not an entity label",
     _("entity %(entity)s: %(name)s is %(is_a)s label, not an entity label")),
    (rf"{ENTITY}no entity label named (?P<name>.+) in this project",
     _("entity %(entity)s: no entity label named %(name)s in this project")),
    (rf"entity (?P<entity>.+?) {SPAN} overlaps entity (?P<other>.+?) \[(?P<other_start>\d+), "
     r"(?P<other_end>\d+)\), and this project does not allow overlapping spans",
     _("entity %(entity)s [%(start)s, %(end)s) overlaps entity %(other)s [%(other_start)s, "
       "%(other_end)s), and this project does not allow overlapping spans")),
    (r"(?P<name>.+) is (?P<is_a>an? \w+) label, not (?P<not_a>a relation|a sentiment) label",
     _("%(name)s is %(is_a)s label, not %(not_a)s label")),
    (r"no (?P<kind>relation|sentiment) label named (?P<name>.+) in this project",
     _("no %(kind)s label named %(name)s in this project")),
    (r"no entity with id (?P<id>.+)", _("no entity with id %(id)s")),
    (r"a relation joins two different entities", _("a relation joins two different entities")),
    (r"(?P<label>.+) does not allow a (?P<entity>.+) entity at its (?P<end>head|tail)",
     _("%(label)s does not allow a %(entity)s entity at its %(end)s")),
    (r"this project takes a single sentiment", _("this project takes a single sentiment")),
    (r"this project does not run the (?P<task>\w+) task",
     _("this project does not run the %(task)s task")),
)
