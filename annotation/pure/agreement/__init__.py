"""Inter-annotator agreement: pure numpy, no Django.

Modules: alpha (Krippendorff's alpha via coincidence matrices), categorical (percent
agreement, Cohen's and Fleiss' kappa, pooled confusion), multilabel (MASI), matching and
spans (pairwise span F1, exact and one-to-one overlap), relations, bio (token-level tags),
bootstrap (vectorized percentile intervals), inputs (plain data to arrays), sentiment and
entities (report sections), report (the top-level ``agreement_report``).
"""

from annotation.pure.agreement.inputs import LabelMeta
from annotation.pure.agreement.report import agreement_report

__all__ = ["LabelMeta", "agreement_report"]
