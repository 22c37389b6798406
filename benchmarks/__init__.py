"""Benchmark suite of issue 3: logreg against scikit-learn and glum, side by side.

Run from the repository root::

    python -m benchmarks                 # full sizes, writes BENCHMARKS.md (~10 min + ~30-45 for P8)
    python -m benchmarks --quick         # seconds; exits 1 unless every logreg solver reaches f*
    python -m benchmarks --scale 0.1 --only P1,P4 --out /tmp/B.md
    python -m benchmarks --only P8 --out /tmp/P8.md   # issue 10's multinomial problem alone

Modules: :mod:`.problems` (data and the common objective), :mod:`.runner`
(processes, f*), :mod:`.child` (one fit per process: time, memory, objective),
:mod:`.report` (BENCHMARKS.md and the plot).
"""
