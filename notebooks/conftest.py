"""nbval runs the notebooks as reports: the explorer (06) shows its static summary, not live widgets, so that the
outputs compare equal (the kernels inherit this environment)."""
import os

os.environ["UNSPEECH_EXPLORE"] = "static"
