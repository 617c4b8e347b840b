"""The demo: a bundled example agent (``agent.py``) and the ``lgwidget demo`` command."""
