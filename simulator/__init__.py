"""Standalone simulator of face-recognition access-control terminals.

The simulator plays the *terminal* side of the "MQTT protocol of face recognition
all in one machine V1.24" (see ``shared/seeds``), written from the vendor document
and the real-world notes only. It deliberately shares no code with the Home
Assistant integration in ``custom_components`` so that a field misread on one
side is not silently misread on the other.

Public API:

* :class:`Terminal` - one simulated device with its own MQTT connection.
* :class:`JovisionDevice` - one simulated Jovision device pushing over HTTP
  (seed 004: ``keepalive`` heartbeats and ``sw_face_compare_push`` matches).
* :class:`Mosquitto` - a throw-away ``mosquitto`` broker on 127.0.0.1.
* :func:`parse_profile` / :class:`Profile` - payload quirk profiles.
* :class:`PersonStore` / :class:`Person` - the in-memory face library.
"""

from simulator.broker import Mosquitto, MosquittoNotFoundError
from simulator.jovision import JovisionDevice, JovisionReply
from simulator.profiles import PROFILE_NAMES, Profile, parse_profile
from simulator.store import Person, PersonStore
from simulator.terminal import PendingRecord, Terminal

__all__ = [
    "PROFILE_NAMES",
    "JovisionDevice",
    "JovisionReply",
    "Mosquitto",
    "MosquittoNotFoundError",
    "PendingRecord",
    "Person",
    "PersonStore",
    "Profile",
    "Terminal",
    "parse_profile",
]
