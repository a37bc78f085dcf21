"""Offline evaluation of recommenders: leave-last-out, full ranking, one small class per algorithm.

``protocol`` holds the protocol and the ``Recommender`` interface; the algorithms are in ``baselines``
(random, popularity, item-kNN), ``profile_based`` (content, the production feed) and ``sequential``
(SASRec, the hybrid); ``generic`` runs it all on any ``user,item,timestamp`` log.
"""
