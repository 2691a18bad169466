"""The pieces of bench/bench_mixed.py: the virtual users (``load``) and the row-by-row checks
(``checks``)."""
