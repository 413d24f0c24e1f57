"""Annotator reliability on categorical labels: pure numpy, no Django.

Input: a (annotators, items) int matrix of label codes 0..K-1, -1 for "not rated" (see
ratings). Modules: ratings (checks, majority vote, degenerate input), dawid_skene (one
confusion matrix per annotator, Dawid & Skene 1979), mace (competence and spamming, Hovy et
al. 2013), report (one number per annotator with a bootstrap interval over items).
Degenerate input (fewer than two annotators or rated items, no item rated twice) gives NaN
or None values and a ``reason``, never an exception or an invented number.
"""

from annotation.pure.reliability.dawid_skene import (
    DawidSkeneResult,
    dawid_skene,
    expected_accuracy,
)
from annotation.pure.reliability.mace import MaceResult, mace
from annotation.pure.reliability.ratings import majority_vote, vote_shares
from annotation.pure.reliability.report import AnnotatorReliability, Reliability, reliability

__all__ = ["AnnotatorReliability", "DawidSkeneResult", "MaceResult", "Reliability",
           "dawid_skene", "expected_accuracy", "mace", "majority_vote", "reliability",
           "vote_shares"]
