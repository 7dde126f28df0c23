"""The built-in local workflow definitions (TOML files; a package so that installs ship them)."""
