"""The ``local`` plugin: local multi-role workflows in the shell (the engine is the ``mojodex_engine`` package)."""
