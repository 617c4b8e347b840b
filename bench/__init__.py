"""lgwidget's benchmarks: ``python -m bench.<name>`` from the repository root (see README.md)."""
