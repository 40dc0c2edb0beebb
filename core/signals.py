"""Signals other apps listen to when portal data they derive from changes.

* ``agency_merging(source, target)``: sent inside the merge transaction before ``source``'s rows
  are repointed to ``target``; receivers clear rows that would collide.
* ``agency_merged(source_ids, target)``: sent after the merge, in the same transaction;
  receivers rebuild what they derive from the moved rows.
* ``state_laws_changed(states)``: a state law profile, or an agency's state or kind, changed;
  receivers recompute what depends on the law (the state-law flags of searches).
* ``import_finished(job)``: an import job succeeded and its data is committed (sent after its
  transaction); receivers derive what follows from the new data (the change log).
"""

from django.dispatch import Signal

agency_merging = Signal()
agency_merged = Signal()
state_laws_changed = Signal()
import_finished = Signal()
