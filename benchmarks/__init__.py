"""Benchmark suite of issue 3: logreg against scikit-learn and glum, side by side.

Run from the repository root::

    python -m benchmarks                 # full sizes, writes BENCHMARKS.md (about ten minutes)
    python -m benchmarks --quick         # seconds; exits 1 unless every logreg solver reaches f*
    python -m benchmarks --scale 0.1 --only P1,P4 --out /tmp/B.md

Modules: :mod:`.problems` (data and the common objective), :mod:`.runner`
(processes, f*), :mod:`.child` (one fit per process: time, memory, objective),
:mod:`.report` (BENCHMARKS.md and the plot).
"""
