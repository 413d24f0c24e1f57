"""The agreement job: its input from the database (input), the report and balance it stores
(jobs, balance); the statistics are Django-free, in annotation/pure/agreement/."""
