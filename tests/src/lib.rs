//! Test-only package; the tests live in `tests/tests/`.
