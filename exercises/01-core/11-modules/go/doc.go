package slugs

// TODO: give the package its doc comment (see README.md).
