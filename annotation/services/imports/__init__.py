"""Imports: the upload and its job (jobs), the importer that checks and stores records
(importer, rows), the labels and annotators a file names (labels, identities), the options
and report (options), and the planner statistics after a large load (statistics). The
readers of the formats are Django-free, in annotation/readers/."""
