"""Small model files shipped with the package; each is made by a script in training/."""
