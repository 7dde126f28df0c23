"""Local workflows driven through the shell (a package, so that its conftest and helpers clash with no other)."""
