"""Kept so that configs naming `albench.torch.<Class>` keep working: the code lives in
`albench.learn.cnn`."""

from albench.learn.cnn import *  # noqa: F403
