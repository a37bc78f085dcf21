"""SASRec next-item model: per-user item sequences (time-ordered ids) → scores (n_items,) for the next item.

``config`` holds the hyperparameters, ``items`` the id ↔ index mapping and the sequence rules training
and evaluation share (both torch-free); ``model`` the network and the trained model, ``training``
``sequence_train``, ``validation`` the held-out users that stop it early.
"""
