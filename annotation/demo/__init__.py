"""The demo that `make demo` loads: a small bilingual news corpus with annotations."""
