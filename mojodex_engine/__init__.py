"""Local multi-role workflows: definitions (TOML), an async engine, model providers and run storage.

The engine needs no shell: ``definitions`` loads and checks workflows, ``engine.Engine`` runs them against a
``providers`` model provider and reports to an observer, ``storage`` keeps each run resumable on disk and
``testing`` ships a loopback OpenAI-compatible server for tests and benchmarks.
"""
