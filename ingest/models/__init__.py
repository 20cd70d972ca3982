"""Small model files shipped with the package (see training/ for how each is made)."""
