"""Static checks of the project's own files, run by `make lint` and by the test suite.

Each module checks one thing and exposes `problems(...) -> list[str]` (empty when clean) and a
`main()` that prints them and exits non-zero.
"""
