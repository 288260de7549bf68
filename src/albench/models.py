"""Kept so that configs naming `albench.models.<Class>` keep working: the code lives in
`albench.learn.models`."""

from albench.learn.models import *  # noqa: F403
