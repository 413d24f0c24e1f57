"""Dawid & Skene (1979), Table 1: 45 patients, 5 anaesthetists, 4 classes (1 = fit ... 4).

Transcribed from ``generate_sample_data`` in dallascard/dawid_skene (dawid_skene.py) and
checked against the long-format copy in alexandry-augustin/dawid_skene (data.csv). Each
string is one patient: clinician 1's three readings, then clinicians 2, 3, 4 and 5.
"""

import numpy as np

TABLE_1 = [
    "111 1111", "333 4334", "112 2122", "222 3121", "222 3222",
    "222 3322", "122 2111", "333 3433", "222 2223", "232 2223",
    "444 4444", "222 3343", "111 1111", "222 3212", "121 1111",
    "111 2111", "111 1111", "111 1111", "222 2221", "222 1322",
    "222 2222", "222 2221", "222 3222", "221 2222", "111 1111",
    "111 1111", "232 2222", "111 1111", "111 1111", "112 1121",
    "111 1111", "333 3233", "111 1111", "222 2222", "222 3232",
    "433 4343", "221 2232", "232 3233", "333 3432", "111 1111",
    "111 1111", "121 2111", "232 2222", "121 1111", "222 2222",
]

# Rows: clinician 1's three readings, then clinicians 2-5; codes 0..3 for classes 1..4.
CODES = np.array([[int(c) - 1 for c in row.replace(" ", "")] for row in TABLE_1]).T
RATERS = np.array([0, 0, 0, 1, 2, 3, 4])  # the three readings are one clinician's
