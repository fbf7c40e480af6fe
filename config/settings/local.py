"""Trying Redress out on one machine: the embedded defaults of base, nothing more."""

from config.settings.base import *  # noqa: F403
