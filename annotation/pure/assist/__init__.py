"""The built-in agents' computation (DESIGN.md, "Agents and suggestions"): training on a
project's gold, cross-validated metrics, and predictions. Django-free, CPU-only, one core;
nothing is fetched at run time.

Each model module (`dictionary`, `crf`, `sentiment`, `relation`) offers
``train(docs, *, folds, seed, ...) -> Trained`` and
``predict(model, docs) -> list[Predicted]``.
"""
